#include "audit.hpp"

#include <pwd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace xlb::cli {

namespace {

std::string escape_controls(const std::string& w) {
  std::string out;
  for (unsigned char ch : w) {
    if (ch >= 0x20 && ch != 0x7f) {
      out += static_cast<char>(ch);
      continue;
    }
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", ch);
    out += buf;
  }
  return out;
}

std::string quote_word(const std::string& w) {
  bool plain = !w.empty() && w.find_first_not_of(
                                 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "0123456789-_./:=@,+%[]") == std::string::npos;
  if (plain) return w;
  std::string out = "'";
  for (char ch : w) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return escape_controls(out + "'");
}

// "root (uid 0), login alice": the login name (the session's owner, under
// sudo too) when it is not the user.
std::string who() {
  uid_t uid = getuid();
  const passwd* pw = getpwuid(uid);
  std::string user = pw ? pw->pw_name : "?";
  std::string out = user + " (uid " + std::to_string(uid) + ")";
  const char* login = getlogin();
  if (login && user != login) out += ", login " + std::string(login);
  return out;
}

// RFC 3164 as syslog(3) sends it to /dev/log: "<PRI>Mmm dd hh:mm:ss xlb[PID]: MSG".
std::string frame(const std::string& msg) {
  char stamp[32];
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  std::strftime(stamp, sizeof stamp, "%b %e %T", &tm);
  return "<" + std::to_string(LOG_AUTHPRIV | LOG_NOTICE) + ">" + stamp + " xlb[" +
         std::to_string(getpid()) + "]: " + msg;
}

void send_to(const std::string& path, const std::string& line) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  (void)sendto(fd, line.data(), line.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&addr),
               sizeof addr);
  close(fd);
}

}  // namespace

std::string quote_command_line(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + quote_word(w);
  return out;
}

void audit(const std::string& change, const std::string& command_line) {
  const char* env = std::getenv("XLB_AUDIT_SOCKET");
  std::string path = env && *env ? env : "/dev/log";
  send_to(path, frame(escape_controls(change) + "; by " + who() + "; command: " + command_line));
}

}  // namespace xlb::cli
