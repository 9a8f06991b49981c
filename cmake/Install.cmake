# What `cmake --install` puts where (GNUInstallDirs). Directories owned by
# other packages (bash completions, systemd units, tmpfiles.d) come from
# their pkg-config files when installing under /usr, as a distribution
# package does; under any other prefix they stay inside the prefix.

# xlb_pkg_dir(VAR MODULE VARIABLE FALLBACK): a cache variable naming an
# install directory, absolute.
function(xlb_pkg_dir var module variable fallback)
  set(dir "${CMAKE_INSTALL_PREFIX}/${fallback}")
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    pkg_get_variable(found ${module} ${variable})
    if(found)
      set(dir "${found}")
    endif()
  endif()
  set(${var} "${dir}" CACHE PATH "install directory for ${module} ${variable}")
endfunction()

xlb_pkg_dir(XLB_BASH_COMPLETIONS_DIR bash-completion completionsdir
            "${CMAKE_INSTALL_DATADIR}/bash-completion/completions")
xlb_pkg_dir(XLB_SYSTEMD_UNIT_DIR systemd systemdsystemunitdir "lib/systemd/system")
xlb_pkg_dir(XLB_TMPFILES_DIR systemd tmpfilesdir "lib/tmpfiles.d")

install(FILES man/xlb.8 man/xlb-healthd.8 man/xlb-syncd.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES man/xlb.conf.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(FILES completions/xlb DESTINATION ${XLB_BASH_COMPLETIONS_DIR})

# The units name the programs by absolute path, where this install puts them.
set(XLB_SBINDIR ${CMAKE_INSTALL_FULL_SBINDIR})
foreach(unit xlb.service xlb-attach@.service xlb-healthd.service xlb-syncd.service)
  configure_file(systemd/${unit}.in ${CMAKE_CURRENT_BINARY_DIR}/systemd/${unit} @ONLY)
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/systemd/${unit} DESTINATION ${XLB_SYSTEMD_UNIT_DIR})
endforeach()
install(FILES systemd/tmpfiles.conf DESTINATION ${XLB_TMPFILES_DIR} RENAME xlb.conf)

install(DIRECTORY examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
# The sample ruleset: comments only, so applying it changes nothing.
install(FILES systemd/xlb.conf DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/xlb)
