#pragma once
// The UI's style sheet and its one script, served from memory: nothing is
// fetched from anywhere else, so the pages work offline.
#include <string_view>

namespace shipml::ui {

std::string_view stylesheet();
/// The tab's icon: a small SVG.
std::string_view icon();
/// Enables "Compare selected" when 2 to 10 runs are ticked. Pages work
/// without it: the server checks the count too.
std::string_view script();

}  // namespace shipml::ui
