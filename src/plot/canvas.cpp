#include "canvas.hpp"

#include <cstdlib>

#include "shipml/core/error.hpp"

namespace shipml::plot {

Rgb Rgb::parse(const std::string& hex) {
  const bool ok =
      hex.size() == 7 && hex[0] == '#' && hex.find_first_not_of("0123456789abcdefABCDEF", 1) == std::string::npos;
  if (!ok) throw UsageError("colour '" + hex + "' must be written #rrggbb");
  const long v = std::strtol(hex.c_str() + 1, nullptr, 16);
  return {((v >> 16) & 0xff) / 255.0, ((v >> 8) & 0xff) / 255.0, (v & 0xff) / 255.0};
}

void Canvas::font(double size, bool bold) {
  // DejaVu Sans is installed with the project's dependencies (fonts-dejavu-core).
  cairo_select_font_face(cr_, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr_, size);
}

double Canvas::text_width(const std::string& text) const {
  cairo_text_extents_t e;
  cairo_text_extents(cr_, text.c_str(), &e);
  return e.x_advance;
}

double Canvas::text_height() const {
  cairo_font_extents_t e;
  cairo_font_extents(cr_, &e);
  return e.ascent;
}

std::string Canvas::fit(const std::string& text, double max_width) const {
  if (text_width(text) <= max_width) return text;
  std::string cut = text;
  while (!cut.empty()) {
    // Drop one whole UTF-8 character: its continuation bytes, then its lead byte.
    while (!cut.empty() && (static_cast<unsigned char>(cut.back()) & 0xC0) == 0x80) cut.pop_back();
    if (!cut.empty()) cut.pop_back();
    if (text_width(cut + "…") <= max_width) return cut + "…";
  }
  return "…";
}

void Canvas::text(const std::string& text, double x, double y, Align align, double angle) {
  cairo_save(cr_);
  cairo_translate(cr_, x, y);
  cairo_rotate(cr_, angle);
  const double w = text_width(text);
  cairo_move_to(cr_, align == Align::left ? 0 : align == Align::center ? -w / 2 : -w, 0);
  cairo_show_text(cr_, text.c_str());
  cairo_restore(cr_);
}

void Canvas::haloed_text(const std::string& text, double x, double y, Align align) {
  cairo_save(cr_);
  const double w = text_width(text);
  cairo_move_to(cr_, align == Align::left ? x : align == Align::center ? x - w / 2 : x - w, y);
  cairo_text_path(cr_, text.c_str());
  cairo_pattern_t* ink = cairo_pattern_reference(cairo_get_source(cr_));
  cairo_set_source_rgb(cr_, 1, 1, 1);
  cairo_set_line_width(cr_, 3);
  cairo_set_line_join(cr_, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke_preserve(cr_);
  cairo_set_source(cr_, ink);
  cairo_pattern_destroy(ink);
  cairo_fill(cr_);
  cairo_restore(cr_);
}

void Canvas::line(double x0, double y0, double x1, double y1, double width, bool dashed) {
  cairo_save(cr_);
  cairo_set_line_width(cr_, width);
  if (dashed) {
    const double dash[] = {5, 4};
    cairo_set_dash(cr_, dash, 2, 0);
  }
  cairo_move_to(cr_, x0, y0);
  cairo_line_to(cr_, x1, y1);
  cairo_stroke(cr_);
  cairo_restore(cr_);
}

void Canvas::rect(double x, double y, double w, double h) {
  cairo_rectangle(cr_, x, y, w, h);
  cairo_fill(cr_);
}

}  // namespace shipml::plot
