// Charts on x and y axes: lines, points (shaded on a colour scale), bands.
#include <algorithm>
#include <cmath>

#include "painter.hpp"

namespace shipml::plot {

void Painter::xy() {
  const Plot plot = xy_plot();
  xy_axes(plot);
  // Series, clipped to the plot: bands first, then lines and points on top.
  std::vector<Rgb> colors;
  int next = 0;
  for (const auto& s : chart_.series) colors.push_back(s.reference ? kGuide : color(s.color >= 0 ? s.color : next++));
  cairo_save(c_.cr());
  cairo_rectangle(c_.cr(), plot.left, plot.top, plot.right - plot.left, plot.bottom - plot.top);
  cairo_clip(c_.cr());
  for (int pass = 0; pass < 2; ++pass)
    for (std::size_t i = 0; i < chart_.series.size(); ++i)
      if ((chart_.series[i].kind == Series::Kind::band) == (pass == 0)) draw_series(chart_.series[i], colors[i], plot);
  cairo_restore(c_.cr());
  legend(colors, plot.left, plot.right, plot.top, plot.bottom);
  color_legend(plot);
}

Painter::Plot Painter::xy_plot() {
  std::vector<double> xs, ys;
  for (const auto& s : chart_.series) {
    xs.insert(xs.end(), s.x.begin(), s.x.end());
    ys.insert(ys.end(), s.y.begin(), s.y.end());
    ys.insert(ys.end(), s.low.begin(), s.low.end());
    ys.insert(ys.end(), s.high.begin(), s.high.end());
  }
  // A dot at the data's extreme keeps its whole disc inside the frame.
  if (std::any_of(chart_.series.begin(), chart_.series.end(),
                  [](const Series& s) { return s.kind == Series::Kind::points; }))
    for (auto* values : {&xs, &ys}) {
      const auto [lo, hi] = std::minmax_element(values->begin(), values->end());
      if (lo == values->end() || !std::isfinite(*lo) || !std::isfinite(*hi)) continue;
      const double room = 0.02 * (*hi - *lo);
      values->insert(values->end(), {*lo - room, *hi + room});
    }
  Plot p;
  p.rx = chart_.x_categories.empty() ? axis(xs, chart_.x_min, chart_.x_max) : category_axis(chart_.x_categories.size());
  p.ry = chart_.y_categories.empty() ? axis(ys, chart_.y_min, chart_.y_max) : category_axis(chart_.y_categories.size());
  c_.font(kTickSize);
  for (std::size_t i = 0; i < p.ry.ticks.size(); ++i) p.tick_w = std::max(p.tick_w, c_.text_width(y_tick(p.ry, i)));
  p.tick_h = c_.text_height();
  c_.font(kTextSize);
  const double label_h = c_.text_height();
  p.left = kMargin + (chart_.y_label.empty() ? 0 : label_h + 8) + p.tick_w + 6;
  p.right = style_.width - kMargin - 4 - color_legend_width();
  p.bottom = style_.height - kMargin - (chart_.x_label.empty() ? 0 : label_h + 8) - p.tick_h - 6;
  p.top = top_;
  if (chart_.square) {  // equal scales: the plot is as wide as it is tall, centred
    const double side = std::min(p.right - p.left, p.bottom - p.top);
    p.left += (p.right - p.left - side) / 2;
    p.right = p.left + side;
    p.bottom = p.top + side;
  }
  return p;
}

void Painter::xy_axes(const Plot& p) {
  vertical_grid(
      p.rx, [&](double x) { return p.px(x); }, p.top, p.bottom, p.tick_h, chart_.x_categories);
  c_.font(kTickSize);
  for (std::size_t i = 0; i < p.ry.ticks.size(); ++i) {
    const double t = p.ry.ticks[i];
    c_.color(kGrid);
    c_.line(p.left, p.py(t), p.right, p.py(t));
    c_.color(i < chart_.y_categories.size() ? kInk : kMuted);
    c_.text(y_tick(p.ry, i), p.left - 6, p.py(t) + p.tick_h / 2 - 1, Align::right);
  }
  c_.color(kFrame);
  cairo_rectangle(c_.cr(), p.left, p.top, p.right - p.left, p.bottom - p.top);
  cairo_set_line_width(c_.cr(), 1);
  cairo_stroke(c_.cr());
  axis_titles(p.left, p.right, p.top, p.bottom, p.tick_w);
}

void Painter::draw_series(const Series& s, Rgb rgb, const Plot& p) {
  cairo_t* cr = c_.cr();
  cairo_new_path(cr);
  switch (s.kind) {
    case Series::Kind::band:
      for (std::size_t k = 0; k < s.x.size(); ++k) cairo_line_to(cr, p.px(s.x[k]), p.py(s.high[k]));
      for (std::size_t k = s.x.size(); k-- > 0;) cairo_line_to(cr, p.px(s.x[k]), p.py(s.low[k]));
      cairo_close_path(cr);
      c_.color(rgb, 0.18);
      cairo_fill(cr);
      return;
    case Series::Kind::points:
      if (!s.shade.empty()) return shaded_points(s, p);
      for (std::size_t k = 0; k < s.x.size(); ++k) {
        cairo_new_sub_path(cr);
        cairo_arc(cr, p.px(s.x[k]), p.py(s.y[k]), 2.4, 0, 2 * M_PI);
      }
      c_.color(rgb, 0.45);
      cairo_fill(cr);
      return;
    case Series::Kind::line:
      for (std::size_t k = 0; k < s.x.size(); ++k) cairo_line_to(cr, p.px(s.x[k]), p.py(s.y[k]));
      break;
    case Series::Kind::step:
      for (std::size_t k = 0; k < s.y.size() && k + 1 < s.x.size(); ++k) {
        cairo_line_to(cr, p.px(s.x[k]), p.py(s.y[k]));
        cairo_line_to(cr, p.px(s.x[k + 1]), p.py(s.y[k]));
      }
      break;
  }
  c_.color(rgb, s.opacity);
  cairo_set_line_width(cr, s.reference ? 1.2 : s.width);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  if (s.reference || s.dashed) {
    const double dash[] = {5, 4};
    cairo_set_dash(cr, dash, 2, 0);
  }
  cairo_stroke(cr);
  cairo_set_dash(cr, nullptr, 0, 0);
}

void Painter::shaded_points(const Series& s, const Plot& p) {
  constexpr int kShades = 48;
  std::vector<std::vector<std::size_t>> groups(kShades + 1);
  for (std::size_t k = 0; k < s.x.size() && k < s.shade.size(); ++k)
    groups[std::isnan(s.shade[k])
               ? 0
               : 1 + static_cast<std::size_t>(std::lround(std::clamp(s.shade[k], 0.0, 1.0) * (kShades - 1)))]
        .push_back(k);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (groups[g].empty()) continue;
    cairo_new_path(c_.cr());
    for (std::size_t k : groups[g]) {
      cairo_new_sub_path(c_.cr());
      cairo_arc(c_.cr(), p.px(s.x[k]), p.py(s.y[k]), 2.2, 0, 2 * M_PI);
    }
    c_.color(g == 0 ? kNoValue : scale_color(static_cast<double>(g - 1) / (kShades - 1)), 0.85);
    cairo_fill(c_.cr());
  }
}

}  // namespace shipml::plot
