// shipml._core: the C++ library as Python sees it (see python/shipml for the
// package users import).
#include "bindings.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "shipml's C++ library; import shipml, not this module";
  m.attr("__version__") = SHIPML_VERSION;
  shipml::python::bind_errors(m);
  shipml::python::bind_data(m);
  shipml::python::bind_model(m);
  shipml::python::bind_experiment(m);
  shipml::python::bind_records(m);
  shipml::python::bind_batch(m);
}
