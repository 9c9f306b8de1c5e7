#pragma once
// Fields of a query string or of a form's urlencoded body, and cookies: what a
// browser sends, decoded.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shipml/serve/http.hpp"

namespace shipml::ui {

/// `%41` and `+` decoded (a malformed escape is kept as written).
std::string url_decode(std::string_view text);
/// Everything but unreserved characters escaped, for a value in a link.
std::string url_encode(std::string_view text);

/// name=value pairs in the order sent; a name may repeat (run=a&run=b).
class Form {
 public:
  Form() = default;
  explicit Form(std::string_view urlencoded);
  /// The first value of `name`, or `fallback`.
  std::string get(std::string_view name, std::string fallback = "") const;
  /// Every value of `name`, in order.
  std::vector<std::string> all(std::string_view name) const;
  bool has(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

/// The value of cookie `name` in the request's Cookie header, or "".
std::string cookie(const serve::HttpRequest& request, std::string_view name);

}  // namespace shipml::ui
