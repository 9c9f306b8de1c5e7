#pragma once
// What every protocol decoder shares: building a Frame from the cells a client
// sent (numbers, text, nulls), reading JSON bodies fast and defensively
// (simdjson: no allocation per request once warm), and errors that carry the
// HTTP status to answer with. The Frame then goes through the model's schema
// like any other input, so the server checks exactly what the library does.
#include <simdjson.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shipml/core/error.hpp"
#include "shipml/core/frame.hpp"

namespace shipml::serve {

using JsonValue = simdjson::dom::element;

/// A request the server refuses; `status` is the HTTP status to answer with.
class RequestError : public Error {
 public:
  RequestError(int status, const std::string& message) : Error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

/// Cells of one input column, in row order. A column of numbers (and nulls)
/// becomes numeric; any text makes it categorical, numbers then read as their text.
class ColumnBuilder {
 public:
  explicit ColumnBuilder(std::string_view name) : name_(name) {}
  const std::string& name() const { return name_; }
  std::size_t size() const { return size_; }
  /// Whether a cell is text (the column then becomes categorical).
  bool has_text() const { return !text_rows_.empty(); }

  void number(double value);
  void text(std::string_view value);
  void missing();
  /// A JSON scalar (number, string, boolean as 0/1, null); `where()` names the
  /// cell in the error for anything else (called only then).
  template <class Where>
  void json(const JsonValue& value, const Where& where) {
    if (!scalar(value))
      throw RequestError(
          400, where() + ": expected a number, a string or null, found " + (value.is_array() ? "a list" : "an object"));
  }

  /// The column of text (categorical) cells; call only when has_text().
  Column build_categorical() &&;
  /// The cells as numbers, NaN where missing; call only when !has_text().
  std::span<const double> numbers() const {
    return size_ <= 1 ? std::span<const double>(&first_, size_) : std::span<const double>(more_);
  }
  /// Gives up the name (the builder is done with).
  std::string take_name() && { return std::move(name_); }

 private:
  bool scalar(const JsonValue& value);  // false for arrays and objects
  void push(double cell);
  // One number per cell: numbers are finite, so NaN marks a missing cell and
  // a text cell's place. The first cell is kept in place: a one-row request
  // (the usual one) allocates nothing per numeric column.
  std::string name_;
  std::size_t size_ = 0;
  double first_ = 0;
  std::vector<double> more_;            // every cell, once there are two or more
  std::vector<std::size_t> text_rows_;  // the rows of the text cells, in order
  std::vector<std::string> texts_;      // their text
};

/// Builds a frame (consuming the builders); duplicate column names and unequal
/// lengths are a 400, naming the first column in order that is either.
Frame make_frame(std::vector<ColumnBuilder>& columns);

/// Parses a request body as JSON with this thread's parser; the value is valid
/// until the thread parses again. A 400 naming the line and column when the
/// body is malformed, and when it nests deeper than 32 levels.
JsonValue parse_json_body(std::string_view body);

/// Appends `s` as a JSON string literal.
void append_json_string(std::string& out, std::string_view s);
/// Appends a finite number the shortest way that reads back exactly (null otherwise).
void append_json_number(std::string& out, double value);

}  // namespace shipml::serve
