# `cmake --install`: the command line with its man pages and bash completion,
# the shared and static libraries, the headers, a CMake package and pkg-config
# files; the Python package too when it is built. Components (cli, runtime,
# dev, python) are the Debian packages cmake/packaging.cmake makes.
include(CMakePackageConfigHelpers)
set(SHIPML_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/shipml)

install(TARGETS shipml_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cli)
# The MPI plugin, where the CLI looks for it (../lib/<arch>/shipml from bin/),
# in a component (a package) of its own: only it pulls in libmpi.
if(TARGET shipml_mpi)
  install(TARGETS shipml_mpi LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/shipml COMPONENT mpi)
endif()

# Man pages (one per subcommand) and bash completion, from the CLI's own help.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(SHIPML_MAN_DIR ${CMAKE_BINARY_DIR}/man/man1)
add_custom_command(OUTPUT ${SHIPML_MAN_DIR}/shipml.1 ${CMAKE_BINARY_DIR}/completion/shipml
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/scripts/make-manpages.py $<TARGET_FILE:shipml_cli> ${SHIPML_MAN_DIR}
    > /dev/null
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/scripts/make-completion.py $<TARGET_FILE:shipml_cli>
    ${CMAKE_BINARY_DIR}/completion/shipml
  DEPENDS shipml_cli ${PROJECT_SOURCE_DIR}/scripts/make-manpages.py ${PROJECT_SOURCE_DIR}/scripts/make-completion.py
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
  COMMENT "Writing man pages and bash completion from the CLI's help")
add_custom_target(shipml_docs ALL DEPENDS ${SHIPML_MAN_DIR}/shipml.1 ${CMAKE_BINARY_DIR}/completion/shipml)
install(DIRECTORY ${SHIPML_MAN_DIR} DESTINATION ${CMAKE_INSTALL_MANDIR} COMPONENT cli)
install(FILES ${CMAKE_BINARY_DIR}/completion/shipml DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
  COMPONENT cli)

# Libraries: imported as shipml::runtime and shipml::shipml (shared), and
# shipml::runtime_static and shipml::shipml_static.
if(TARGET shipml_shared)
  set_target_properties(shipml_runtime_shared PROPERTIES EXPORT_NAME runtime)
  set_target_properties(shipml_shared PROPERTIES EXPORT_NAME shipml)
  install(TARGETS shipml_runtime_shared shipml_shared EXPORT shipmlTargets
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev)
  install(EXPORT shipmlTargets NAMESPACE shipml:: DESTINATION ${SHIPML_CMAKE_DIR} COMPONENT dev)
endif()
set_target_properties(shipml_runtime_static PROPERTIES EXPORT_NAME runtime_static)
set_target_properties(shipml_static PROPERTIES EXPORT_NAME shipml_static)
install(TARGETS shipml_runtime_static shipml_static EXPORT shipmlStaticTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(EXPORT shipmlStaticTargets NAMESPACE shipml:: DESTINATION ${SHIPML_CMAKE_DIR} COMPONENT dev)
# serve_grpc is linked into the CLI only (no installed library implements it): its header stays out.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/shipml DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev
  PATTERN serve_grpc EXCLUDE)

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/shipmlConfig.cmake.in ${CMAKE_BINARY_DIR}/shipmlConfig.cmake
  INSTALL_DESTINATION ${SHIPML_CMAKE_DIR})
# 0.x: a minor version may change the API, so only the same minor matches.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/shipmlConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/shipmlConfig.cmake ${CMAKE_BINARY_DIR}/shipmlConfigVersion.cmake
  DESTINATION ${SHIPML_CMAKE_DIR} COMPONENT dev)

foreach(pc shipml shipml-runtime)
  if(pc STREQUAL "shipml")
    set(PC_NAME shipml)
    set(PC_DESCRIPTION "shipml: train, score, record, serve tabular models (everything)")
    set(PC_LIBS "-lshipml -lshipml_runtime")
  else()
    set(PC_NAME shipml-runtime)
    set(PC_DESCRIPTION "shipml runtime: load a model file and predict")
    set(PC_LIBS "-lshipml_runtime")
  endif()
  configure_file(${CMAKE_CURRENT_LIST_DIR}/shipml.pc.in ${CMAKE_BINARY_DIR}/pkgconfig/${pc}.pc @ONLY)
  install(FILES ${CMAKE_BINARY_DIR}/pkgconfig/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
endforeach()
