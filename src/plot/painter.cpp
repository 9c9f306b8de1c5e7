// The page, palette, axes and legends every chart kind shares.
#include <algorithm>
#include <cmath>

#include "painter.hpp"

namespace shipml::plot {

Range axis(std::vector<double> values, std::optional<double> lo, std::optional<double> hi) {
  double low = INFINITY, high = -INFINITY;
  for (double v : values)
    if (std::isfinite(v)) low = std::min(low, v), high = std::max(high, v);
  if (!std::isfinite(low)) low = 0, high = 1;
  if (lo) low = *lo;
  if (hi) high = *hi;
  Range r;
  r.ticks = nice_ticks(low, high);
  r.low = lo ? *lo : r.ticks.front();
  r.high = hi ? *hi : r.ticks.back();
  std::erase_if(r.ticks, [&](double t) {
    return t < r.low - 1e-12 * std::abs(r.step()) || t > r.high + 1e-12 * std::abs(r.step());
  });
  return r;
}

Range category_axis(std::size_t count) {
  Range r{-0.5, static_cast<double>(count) - 0.5, {}};
  for (std::size_t i = 0; i < count; ++i) r.ticks.push_back(static_cast<double>(i));
  return r;
}

void Painter::draw() {
  c_.color(kWhite);
  c_.rect(0, 0, style_.width, style_.height);
  double top = kMargin;
  const std::string title = style_.title.empty() ? chart_.title : style_.title;
  if (!title.empty()) {
    c_.font(kTitleSize, true);
    c_.color(kInk);
    top += c_.text_height();
    c_.text(c_.fit(title, style_.width - 2 * kMargin), kMargin, top);
    top += 6;
  }
  if (!chart_.subtitle.empty()) {
    c_.font(kTextSize);
    c_.color(kMuted);
    top += c_.text_height();
    c_.text(c_.fit(chart_.subtitle, style_.width - 2 * kMargin), kMargin, top);
    top += 4;
  }
  top_ = top + 10;
  switch (chart_.kind) {
    case Chart::Kind::xy: xy(); break;
    case Chart::Kind::bars: bars(); break;
    case Chart::Kind::heatmap: heatmap(); break;
  }
}

Rgb Painter::scale_color(double t) const {
  if (std::isnan(t)) return kNoValue;
  t = std::clamp(t, 0.0, 1.0);
  const Rgb low = palette_.front(), high = palette_.size() >= 4 ? palette_[3] : palette_.back();
  const Rgb middle = palette_.size() >= 5 ? palette_[4] : low.mix(high, 0.5);
  return t < 0.5 ? low.mix(middle, 2 * t) : middle.mix(high, 2 * t - 1);
}

void Painter::axis_titles(double left, double right, double top, double bottom, double labels_width, double x_title_y) {
  c_.font(kTextSize);
  c_.color(kInk);
  if (!chart_.x_label.empty())
    c_.text(c_.fit(chart_.x_label, right - left), (left + right) / 2,
            x_title_y > 0 ? x_title_y : style_.height - kMargin, Align::center);
  if (!chart_.y_label.empty())
    c_.text(c_.fit(chart_.y_label, bottom - top), left - labels_width - 14, (top + bottom) / 2, Align::center,
            -M_PI / 2);
}

std::string Painter::y_tick(const Range& ry, std::size_t i) const {
  return i < chart_.y_categories.size() ? c_.fit(chart_.y_categories[i], style_.width * 0.3)
                                        : tick_label(ry.ticks[i], ry.step());
}

double Painter::color_legend_width() {
  if (!chart_.color_scale) return 0;
  c_.font(kTickSize);
  const double text_w =
      std::max({c_.text_width(chart_.color_scale->low), c_.text_width(chart_.color_scale->high), 10.0});
  return 12 + text_w + 6 + c_.text_height() + 4;
}

void Painter::color_legend(const Plot& p) {
  if (!chart_.color_scale) return;
  const ColorScale& scale = *chart_.color_scale;
  c_.font(kTickSize);
  const double text_h = c_.text_height();
  const double text_w = std::max({c_.text_width(scale.low), c_.text_width(scale.high), 10.0});
  const double cx = p.right + 12 + text_w / 2, bar_w = 10;
  const double top = p.top + text_h + 8, bottom = p.bottom - text_h - 8;
  if (bottom - top < 20) return;
  cairo_pattern_t* ramp = cairo_pattern_create_linear(0, bottom, 0, top);
  for (double t : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    const Rgb c = scale_color(t);
    cairo_pattern_add_color_stop_rgb(ramp, t, c.r, c.g, c.b);
  }
  cairo_rectangle(c_.cr(), cx - bar_w / 2, top, bar_w, bottom - top);
  cairo_set_source(c_.cr(), ramp);
  cairo_fill(c_.cr());
  cairo_pattern_destroy(ramp);
  c_.color(kInk);
  c_.text(scale.high, cx, top - 5, Align::center);
  c_.text(scale.low, cx, bottom + text_h + 4, Align::center);
  c_.text(c_.fit(scale.label, bottom - top), cx + text_w / 2 + 4 + text_h, (top + bottom) / 2, Align::center,
          -M_PI / 2);
}

void Painter::legend(const std::vector<Rgb>& colors, double left, double right, double top, double bottom) {
  std::vector<std::size_t> entries;
  for (std::size_t i = 0; i < chart_.series.size(); ++i)
    if (!chart_.series[i].name.empty()) entries.push_back(i);
  if (entries.empty()) return;
  c_.font(kTickSize);
  const double row = c_.text_height() + 7, swatch = 18, pad = 8;
  const double max_text = (right - left) * (chart_.wide_legend ? 0.85 : 0.55) - swatch - 3 * pad;
  double text_w = 0;
  for (auto i : entries) text_w = std::max(text_w, c_.text_width(c_.fit(chart_.series[i].name, max_text)));
  const double w = swatch + text_w + 3 * pad, h = static_cast<double>(entries.size()) * row + pad;
  const bool at_right = chart_.legend == Chart::Corner::top_right || chart_.legend == Chart::Corner::bottom_right;
  const bool at_bottom = chart_.legend == Chart::Corner::bottom_left || chart_.legend == Chart::Corner::bottom_right;
  const double x = at_right ? right - w - 8 : left + 8, y = at_bottom ? bottom - h - 8 : top + 8;
  c_.color(kWhite, 0.88);
  c_.rect(x, y, w, h);
  c_.color(kFrame);
  cairo_rectangle(c_.cr(), x, y, w, h);
  cairo_set_line_width(c_.cr(), 0.8);
  cairo_stroke(c_.cr());
  for (std::size_t e = 0; e < entries.size(); ++e) {
    const Series& s = chart_.series[entries[e]];
    const double cy = y + pad / 2 + row * (static_cast<double>(e) + 0.5);
    if (s.kind == Series::Kind::band) {
      c_.color(colors[entries[e]], 0.25);
      c_.rect(x + pad, cy - 5, swatch, 10);
    } else if (s.kind == Series::Kind::points) {
      c_.color(colors[entries[e]], 0.85);
      cairo_new_path(c_.cr());
      cairo_arc(c_.cr(), x + pad + swatch / 2, cy, 3.5, 0, 2 * M_PI);
      cairo_fill(c_.cr());
    } else {
      c_.color(colors[entries[e]], std::max(0.6, s.opacity));
      c_.line(x + pad, cy, x + pad + swatch, cy, s.reference ? 1.2 : std::clamp(s.width + 0.5, 1.5, 3.5),
              s.reference || s.dashed);
    }
    c_.color(kInk);
    c_.text(c_.fit(s.name, max_text), x + 2 * pad + swatch, cy + c_.text_height() / 2 - 1);
  }
}

}  // namespace shipml::plot
