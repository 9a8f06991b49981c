#include "base/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace xlb {

namespace {

std::string shown(const std::string& path) { return path == "-" ? "<stdin>" : path; }

Error cannot_read(const std::string& path, const std::string& why) {
  return usage_error("cannot read '" + shown(path) + "': " + why);
}

Result<std::string> read_fd(int fd, const std::string& path, size_t limit) {
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) return cannot_read(path, std::strerror(EISDIR));
  std::string out;
  char buf[65536];
  while (true) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return cannot_read(path, std::strerror(errno));
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > limit)
      return cannot_read(path, "larger than " + std::to_string(limit >> 20) + " MiB");
  }
}

}  // namespace

Result<std::string> read_input_file(const std::string& path, size_t limit) {
  if (path == "-") return read_fd(STDIN_FILENO, path, limit);
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return usage_error("cannot open '" + path + "': " + std::strerror(errno));
  auto text = read_fd(fd, path, limit);
  close(fd);
  return text;
}

}  // namespace xlb
