# Debian packages from the same build (`cpack -G DEB` in the build folder;
# `make packages` does it): each install component is one package.
#
#   shipml          the command line, man pages, bash completion
#   libshipml0.2    libshipml_runtime.so.0.2 and libshipml.so.0.2
#   libshipml-dev   headers, static libraries, CMake package, pkg-config files
#   python3-shipml  `import shipml` for Debian's python3 (when SHIPML_PYTHON is on)
#   shipml-mpi      libshipml_mpi.so, for `mpirun shipml ...` (when MPI was found):
#                   the one package that depends on OpenMPI
#
# Library dependencies come from dpkg-shlibdeps, so `apt install ./shipml*.deb`
# pulls in exactly what the binaries link.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME shipml)
set(CPACK_PACKAGE_VENDOR shipml)
set(CPACK_PACKAGE_CONTACT "shipml maintainers <maintainers@shipml.invalid>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE ${PROJECT_HOMEPAGE_URL})
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)
set(SHIPML_SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
set(SHIPML_LIB_PACKAGE libshipml${SHIPML_SOVERSION})

set(CPACK_COMPONENTS_ALL cli runtime dev)
set(CPACK_DEBIAN_CLI_PACKAGE_NAME shipml)
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION science)
# Charts need a font; curl is what the image's health check calls.
set(CPACK_DEBIAN_CLI_PACKAGE_DEPENDS "fonts-dejavu-core")
set(CPACK_COMPONENT_CLI_DESCRIPTION "the shipml command line: train, score, compare, search, plot, record and serve tabular models")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME ${SHIPML_LIB_PACKAGE})
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION "shipml shared libraries: libshipml_runtime (load a model file and predict) and libshipml")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libshipml-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
  "${SHIPML_LIB_PACKAGE} (= ${PROJECT_VERSION}), libeigen3-dev (>= 3.4), nlohmann-json3-dev (>= 3.11)")
set(CPACK_DEBIAN_DEV_PACKAGE_SUGGESTS "zlib1g-dev, libzstd-dev, libsqlite3-dev, libpq-dev, libyaml-cpp-dev, libcairo2-dev, libsimdjson-dev, libxgboost-dev")
set(CPACK_COMPONENT_DEV_DESCRIPTION "shipml development files: headers, static libraries, CMake package (find_package(shipml)), pkg-config")
if(SHIPML_PYTHON)
  list(APPEND CPACK_COMPONENTS_ALL python)
  set(CPACK_DEBIAN_PYTHON_PACKAGE_NAME python3-shipml)
  set(CPACK_DEBIAN_PYTHON_PACKAGE_SECTION python)
  set(CPACK_DEBIAN_PYTHON_PACKAGE_DEPENDS "python3 (>= 3.11), python3 (<< 3.12), python3-numpy, python3-pandas")
  set(CPACK_DEBIAN_PYTHON_PACKAGE_RECOMMENDS "python3-sklearn, shipml (= ${PROJECT_VERSION})")
  set(CPACK_COMPONENT_PYTHON_DESCRIPTION "shipml for Python: the same models, files and runs as the shipml command line")
endif()
if(TARGET shipml_mpi)
  list(APPEND CPACK_COMPONENTS_ALL mpi)
  set(CPACK_DEBIAN_MPI_PACKAGE_NAME shipml-mpi)
  set(CPACK_DEBIAN_MPI_PACKAGE_SECTION science)
  # mpirun itself (openmpi-bin): the plugin's libmpi comes from dpkg-shlibdeps.
  set(CPACK_DEBIAN_MPI_PACKAGE_DEPENDS "shipml (= ${PROJECT_VERSION}), openmpi-bin")
  set(CPACK_COMPONENT_MPI_DESCRIPTION "shipml over MPI: `mpirun -np N shipml search|compare|select|run|train` spreads the work over ranks")
endif()
include(CPack)
