#pragma once
// A thin wrapper over a Cairo drawing context, in chart terms: colours by
// "#rrggbb", text measured and shortened to fit, one font. The same calls draw
// to SVG, PNG and PDF surfaces.
#include <cairo.h>

#include <string>

namespace shipml::plot {

struct Rgb {
  double r = 0, g = 0, b = 0;
  static Rgb parse(const std::string& hex);  // "#rrggbb"
  Rgb mix(const Rgb& other, double t) const {
    return {r + (other.r - r) * t, g + (other.g - g) * t, b + (other.b - b) * t};
  }
};

class Canvas {
 public:
  explicit Canvas(cairo_t* cr) : cr_(cr) {}
  cairo_t* cr() const { return cr_; }

  void color(const Rgb& c, double alpha = 1) { cairo_set_source_rgba(cr_, c.r, c.g, c.b, alpha); }
  void font(double size, bool bold = false);
  double text_width(const std::string& text) const;
  double text_height() const;  // ascent of the current font
  /// `text` cut to `max_width` with an ellipsis (at a UTF-8 character boundary).
  std::string fit(const std::string& text, double max_width) const;
  enum class Align { left, center, right };
  /// Draws text with its baseline at y; rotated by `angle` radians around (x, y).
  void text(const std::string& text, double x, double y, Align align = Align::left, double angle = 0);
  /// Text on a white outline, so it stays readable over the lines it crosses.
  void haloed_text(const std::string& text, double x, double y, Align align = Align::left);
  void line(double x0, double y0, double x1, double y1, double width = 1, bool dashed = false);
  void rect(double x, double y, double w, double h);  // filled with the current colour

 private:
  cairo_t* cr_;
};

}  // namespace shipml::plot
