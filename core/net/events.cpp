#include "net/events.hpp"

#include <linux/rtnetlink.h>
#include <netlink/netlink.h>

namespace xlb {

namespace {

int count_event(nl_msg*, void* arg) {
  ++*static_cast<int*>(arg);
  return NL_OK;
}

}  // namespace

Result<NetEvents> NetEvents::open() {
  NlSock s(nl_socket_alloc());
  if (!s) return runtime_error("netlink: out of memory");
  nl_socket_disable_seq_check(s.get());
  int err = nl_connect(s.get(), NETLINK_ROUTE);
  if (err < 0) return runtime_error(std::string("netlink: ") + nl_geterror(err));
  err = nl_socket_add_memberships(s.get(), RTNLGRP_NEIGH, RTNLGRP_LINK, RTNLGRP_IPV4_ROUTE, 0);
  if (err < 0) return runtime_error(std::string("netlink: subscribe: ") + nl_geterror(err));
  (void)nl_socket_add_memberships(s.get(), RTNLGRP_IPV6_ROUTE, 0);  // absent without IPv6
  nl_socket_set_nonblocking(s.get());
  nl_socket_set_buffer_size(s.get(), 1 << 20, 0);
  return NetEvents(std::move(s));
}

int NetEvents::fd() const { return nl_socket_get_fd(sock_.get()); }

bool NetEvents::drain() {
  int events = 0;
  nl_socket_modify_cb(sock_.get(), NL_CB_VALID, NL_CB_CUSTOM, count_event, &events);
  bool lost = false;
  for (;;) {
    int err = nl_recvmsgs_default(sock_.get());
    if (err == -NLE_AGAIN) break;
    if (err < 0) {
      lost = err == -NLE_NOMEM;  // ENOBUFS: events were dropped
      if (!lost) break;
    }
  }
  return events > 0 || lost;
}

}  // namespace xlb
