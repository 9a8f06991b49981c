# Links the libraries xlb needs, besides the C library, statically
# (XLB_STATIC_DEPS, off by default: a Debian package links the shared
# libraries, which get security updates).
#
# Why: every xlb command is a fresh process, and operators run them from
# bash loops. On a guest with PTI and costly page faults, the dynamic
# loader's symbol relocation of libstdc++, libnl, libbpf, libelf and
# readline took about half of a command's fixed cost (`xlb --version`:
# 13.1 ms of CPU dynamic, 7.8 ms static; bench/README.md).
option(XLB_STATIC_DEPS "link libbpf, libnl, readline and libstdc++ statically" OFF)

# xlb_static_archives(OUT LIBS...): the full paths of lib<NAME>.a, or
# nothing when one is missing (the shared libraries are used then).
function(xlb_static_archives out)
  set(paths "")
  foreach(name IN LISTS ARGN)
    find_library(XLB_STATIC_${name} NAMES lib${name}.a)
    if(NOT XLB_STATIC_${name})
      message(STATUS "XLB_STATIC_DEPS: no lib${name}.a, linking shared libraries")
      set(${out} "" PARENT_SCOPE)
      return()
    endif()
    list(APPEND paths ${XLB_STATIC_${name}})
  endforeach()
  set(${out} ${paths} PARENT_SCOPE)
endfunction()

# readline is linked only by a static build; otherwise `xlb -i` loads it
# (cmd/line_editor.cpp) and no other command maps it.
set(XLB_READLINE "")
if(XLB_STATIC_DEPS)
  # Order matters for archives: users before what they use.
  xlb_static_archives(bpf_static bpf elf z)
  xlb_static_archives(nl_static nl-route-3 nl-3)
  xlb_static_archives(readline_static readline tinfo)
  if(bpf_static AND nl_static AND readline_static)
    set_property(TARGET PkgConfig::LIBBPF PROPERTY INTERFACE_LINK_LIBRARIES ${bpf_static} pthread)
    set_property(TARGET PkgConfig::LIBNL PROPERTY INTERFACE_LINK_LIBRARIES ${nl_static} pthread m)
    set(XLB_READLINE ${readline_static})
    add_link_options(-static-libstdc++ -static-libgcc)
  endif()
endif()
