# Run by cmake --install (see CMakeLists.txt here): writes claimd.service
# and libclaim.pc for the prefix being installed to, and installs them.
# The unit goes to PREFIX/lib/systemd/system, which systemd reads for
# /usr and /usr/local alike.
foreach(d BINDIR LIBDIR INCLUDEDIR)
	if(IS_ABSOLUTE "${CLAIMD_${d}}")
		set(FULL_${d} "${CLAIMD_${d}}")
	else()
		set(FULL_${d} "${CMAKE_INSTALL_PREFIX}/${CLAIMD_${d}}")
	endif()
endforeach()
set(CMAKE_INSTALL_FULL_BINDIR "${FULL_BINDIR}")
set(prefix "${CMAKE_INSTALL_PREFIX}")
set(libdir "${FULL_LIBDIR}")
set(includedir "${FULL_INCLUDEDIR}")
set(version "${CLAIMD_VERSION}")
configure_file("${CLAIMD_DIST}/claimd.service.in"
    "${CLAIMD_OUT}/claimd.service" @ONLY)
configure_file("${CLAIMD_DIST}/libclaim.pc.in"
    "${CLAIMD_OUT}/libclaim.pc" @ONLY)
file(INSTALL "${CLAIMD_OUT}/claimd.service"
    DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
file(INSTALL "${CLAIMD_OUT}/libclaim.pc"
    DESTINATION "${FULL_LIBDIR}/pkgconfig")
