#pragma once
/// \file
/// Text for HTML pages, shared by the run report and the web UI: escaping, and
/// numbers written the way both show them.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "shipml/core/export.hpp"

namespace shipml {

/// `text` made safe inside an element or a quoted attribute: & < > " ' become entities.
SHIPML_API std::string html_escape(std::string_view text);

/// A metric's value as pages show it: 4 decimals, or 4 significant digits when
/// very large or very small, and "–" when it is not a finite number.
SHIPML_API std::string format_value(double value);

/// A JSON value as pages show it: a string as itself, an integer as itself,
/// another number as format_value writes it, null as "–", anything else as
/// compact JSON.
SHIPML_API std::string json_value_text(const nlohmann::json& value);

}  // namespace shipml
