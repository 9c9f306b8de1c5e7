#pragma once
/// \file
/// The three kinds of failure a user can meet. Each carries one line that says what
/// was wrong and where; front doors map them to exit codes (usage 2, data/model 1).
#include <stdexcept>
#include <string>

#include "shipml/core/export.hpp"

namespace shipml {

/// Base of every error shipml throws on purpose.
class SHIPML_API Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The caller asked for something that does not exist or is not allowed:
/// unknown estimator, unknown or out-of-range parameter, bad option.
class SHIPML_API UsageError : public Error {
 public:
  using Error::Error;
};

/// The data is not what was expected: a malformed CSV, a missing column,
/// a value of the wrong type.
class SHIPML_API DataError : public Error {
 public:
  using Error::Error;
};

/// A file cannot be opened, read or written (missing, no permission, disk
/// full); carries the system's error number.
class SHIPML_API FileError : public DataError {
 public:
  /// An error saying `message`, caused by the system error `error_number`.
  FileError(const std::string& message, int error_number) : DataError(message), error_number_(error_number) {}
  /// The system's error number (errno) that caused it.
  int error_number() const { return error_number_; }

 private:
  int error_number_;
};

/// A model file or a model object cannot be used: corrupted, truncated, foreign,
/// newer format, or not fitted yet.
class SHIPML_API ModelError : public Error {
 public:
  using Error::Error;
};

}  // namespace shipml
