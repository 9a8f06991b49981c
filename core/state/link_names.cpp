#include "state/link_names.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "base/addr.hpp"
#include "base/sys_error.hpp"

namespace xlb {

namespace {

// "place_IFINDEX_NETNS_NAME": interface names hold no '/' and the name is
// last, so an '_' in it parses too.
std::string prefix(int ifindex) { return "place_" + std::to_string(ifindex) + "_"; }

std::vector<std::string> entries_of(const std::string& pin_path, int ifindex) {
  std::vector<std::string> out;
  DIR* d = opendir(pin_path.c_str());
  if (!d) return out;
  const std::string p = prefix(ifindex);
  while (dirent* e = readdir(d))
    if (std::string name = e->d_name; name.starts_with(p)) out.push_back(name.substr(p.size()));
  closedir(d);
  return out;
}

}  // namespace

uint64_t current_netns() {
  struct stat st {};
  if (stat("/proc/self/ns/net", &st) != 0) return 0;
  return st.st_ino;
}

Status record_link_place(const std::string& pin_path, int ifindex, const LinkPlace& place) {
  forget_link_place(pin_path, ifindex);
  std::string dir =
      pin_path + "/" + prefix(ifindex) + std::to_string(place.netns) + "_" + place.dev;
  if (mkdir(dir.c_str(), 0700) != 0) return sys_error("cannot record " + dir);
  return {};
}

void forget_link_place(const std::string& pin_path, int ifindex) {
  for (const auto& e : entries_of(pin_path, ifindex))
    (void)rmdir((pin_path + "/" + prefix(ifindex)).append(e).c_str());
}

std::optional<LinkPlace> recorded_link_place(const std::string& pin_path, int ifindex) {
  for (const auto& e : entries_of(pin_path, ifindex)) {
    size_t sep = e.find('_');
    if (sep == std::string::npos) continue;
    auto ns = parse_uint(e.substr(0, sep), 1, UINT64_MAX);
    if (ns) return LinkPlace{e.substr(sep + 1), *ns};
  }
  return std::nullopt;
}

}  // namespace xlb
