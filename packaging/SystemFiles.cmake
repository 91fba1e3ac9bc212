# CPack pre-build script (CPACK_PRE_BUILD_SCRIPTS): in each package's staging folder, moves the
# files installed under the prefix's etc/ and lib/systemd/ (the prefix is /usr) to /etc and
# /lib/systemd, where Debian wants configuration and systemd units.
file(GLOB staged LIST_DIRECTORIES true "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/*")
list(APPEND staged "${CPACK_TEMPORARY_INSTALL_DIRECTORY}")
foreach(root IN LISTS staged)
  foreach(folder etc lib/systemd)
    set(from "${root}${CPACK_PACKAGING_INSTALL_PREFIX}/${folder}")
    if(IS_DIRECTORY "${from}")
      get_filename_component(parent "${root}/${folder}" DIRECTORY)
      file(MAKE_DIRECTORY "${parent}")
      file(RENAME "${from}" "${root}/${folder}")
    endif()
  endforeach()
endforeach()
