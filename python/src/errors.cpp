// C++ errors as Python exceptions, carrying the one-line message the CLI prints:
// bad parameters and data are ValueErrors, files OSErrors, bad model files a
// ModelFileError, and a stop requested by Ctrl-C a KeyboardInterrupt.
#include "bindings.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/interrupt.hpp"

namespace shipml::python {
namespace {

// Exception classes live as long as the module: created once, never freed.
PyObject* error_class(py::module_& m, const char* name, PyObject* base, PyObject* also, const char* doc) {
  PyObject* bases = also ? PyTuple_Pack(2, base, also) : PyTuple_Pack(1, base);
  const std::string qualified = std::string("shipml.") + name;
  PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases, nullptr);
  Py_DECREF(bases);
  if (!cls) throw py::error_already_set();
  m.add_object(name, py::handle(cls));
  return cls;
}

}  // namespace

void bind_errors(py::module_& m) {
  static PyObject* base =
      error_class(m, "Error", PyExc_Exception, nullptr, "Base of every error shipml raises on purpose.");
  static PyObject* usage = error_class(m, "UsageError", base, PyExc_ValueError,
                                       "Something that does not exist or is not allowed: an unknown estimator, "
                                       "a parameter out of range, a bad option.");
  static PyObject* data = error_class(m, "DataError", base, PyExc_ValueError,
                                      "The data is not what was expected: a malformed CSV, a missing column, "
                                      "a value of the wrong type.");
  static PyObject* file =
      error_class(m, "FileError", base, PyExc_OSError, "A file cannot be opened, read or written; errno is set.");
  static PyObject* model = error_class(m, "ModelFileError", base, PyExc_ValueError,
                                       "A model file or model cannot be used: corrupted, truncated, foreign, "
                                       "a newer format, or not fitted yet.");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Interrupted& e) {
      PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
    } catch (const UsageError& e) {
      PyErr_SetString(usage, e.what());
    } catch (const FileError& e) {
      // The message as the CLI prints it, with errno set as on Python's own OSErrors.
      py::object error = py::handle(file)(e.what());
      error.attr("errno") = e.error_number();
      PyErr_SetObject(file, error.ptr());
    } catch (const DataError& e) {
      PyErr_SetString(data, e.what());
    } catch (const ModelError& e) {
      PyErr_SetString(model, e.what());
    } catch (const Error& e) {
      PyErr_SetString(base, e.what());
    }
  });
}

}  // namespace shipml::python
