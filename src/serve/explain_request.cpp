#include "explain_request.hpp"

#include <optional>
#include <string>

namespace shipml::serve {
namespace {

// A parameter that must be a whole number from 0 up; nullopt when absent.
std::optional<std::uint64_t> whole_number(const simdjson::dom::object& parameters, std::string_view where,
                                          std::string_view name) {
  JsonValue value;
  if (parameters.at_key(name).get(value) != simdjson::SUCCESS) return std::nullopt;
  std::uint64_t n = 0;
  if (value.get_uint64().get(n) != simdjson::SUCCESS) {
    std::string given = simdjson::minify(value);
    if (given.size() > 40) given = given.substr(0, 40) + "...";  // the error names it, it need not echo a body
    throw RequestError(
        400, std::string(where) + "." + std::string(name) + " must be a whole number from 0 up, not " + given);
  }
  return n;
}

}  // namespace

ExplainOptions explain_options(const simdjson::dom::object& parameters, std::string_view where) {
  ExplainOptions options;
  if (const auto samples = whole_number(parameters, where, "explain_samples")) {
    if (*samples < kMinExplainSamples || *samples > kMaxExplainSamples)
      throw RequestError(400, std::string(where) + ".explain_samples is " + std::to_string(*samples) + ": give from " +
                                  std::to_string(kMinExplainSamples) + " to " + std::to_string(kMaxExplainSamples) +
                                  " orders of the columns per row");
    options.samples = static_cast<std::size_t>(*samples);
  }
  if (const auto seed = whole_number(parameters, where, "explain_seed")) options.seed = *seed;
  return options;
}

}  // namespace shipml::serve
