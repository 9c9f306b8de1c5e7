// Draws a Chart with Cairo: the layout, axes, grid, legend and palette every
// chart shares, decided once here.
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <string_view>

#include "canvas.hpp"
#include "shipml/core/error.hpp"
#include "shipml/io/file.hpp"
#include "shipml/plot/chart.hpp"

namespace shipml {
namespace {

using plot::Canvas;
using plot::Rgb;
using Align = Canvas::Align;

// Okabe & Ito's palette: distinguishable with every common colour-vision deficiency.
const std::vector<std::string> kPalette = {"#0072B2", "#E69F00", "#009E73", "#D55E00",
                                           "#CC79A7", "#56B4E9", "#F0E442", "#000000"};
const Rgb kInk = Rgb::parse("#222222"), kMuted = Rgb::parse("#666666"), kGrid = Rgb::parse("#e6e6e6"),
          kFrame = Rgb::parse("#bbbbbb"), kGuide = Rgb::parse("#888888"), kWhite{1, 1, 1},
          kNoValue = Rgb::parse("#aaaaaa");  // a shaded point with no value on the scale
constexpr double kMargin = 14, kTitleSize = 15, kTextSize = 11.5, kTickSize = 10.5;

struct Range {
  double low = 0, high = 1;
  std::vector<double> ticks;
  double step() const { return ticks.size() > 1 ? ticks[1] - ticks[0] : 1; }
};

// Axis range: natural bounds when the chart gives them, else the round ticks that cover the data.
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

// A categorical axis: position i is category i, with half a step of room either side.
Range category_axis(std::size_t count) {
  Range r{-0.5, static_cast<double>(count) - 0.5, {}};
  for (std::size_t i = 0; i < count; ++i) r.ticks.push_back(static_cast<double>(i));
  return r;
}

class Painter {
 public:
  Painter(cairo_t* cr, const Chart& chart, const ChartStyle& style) : c_(cr), chart_(chart), style_(style) {
    for (const auto& hex : style.palette.empty() ? kPalette : style.palette) palette_.push_back(Rgb::parse(hex));
  }

  void draw() {
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

 private:
  Rgb color(int index) const { return palette_[static_cast<std::size_t>(index) % palette_.size()]; }

  // The colour scale of shaded points: the palette's first colour (blue) for
  // low, through its fifth (reddish purple) to its fourth (vermillion) for
  // high, as SHAP's blue-to-red, from colours every reader tells apart.
  Rgb scale_color(double t) const {
    if (std::isnan(t)) return kNoValue;
    t = std::clamp(t, 0.0, 1.0);
    const Rgb low = palette_.front(), high = palette_.size() >= 4 ? palette_[3] : palette_.back();
    const Rgb middle = palette_.size() >= 5 ? palette_[4] : low.mix(high, 0.5);
    return t < 0.5 ? low.mix(middle, 2 * t) : middle.mix(high, 2 * t - 1);
  }

  // Axis titles: x centred under the plot, y rotated beside the tick labels
  // (`labels_width` wide) on the plot's left.
  void axis_titles(double left, double right, double top, double bottom, double labels_width, double x_title_y = 0) {
    c_.font(kTextSize);
    c_.color(kInk);
    if (!chart_.x_label.empty())
      c_.text(c_.fit(chart_.x_label, right - left), (left + right) / 2,
              x_title_y > 0 ? x_title_y : style_.height - kMargin, Align::center);
    if (!chart_.y_label.empty())
      c_.text(c_.fit(chart_.y_label, bottom - top), left - labels_width - 14, (top + bottom) / 2, Align::center,
              -M_PI / 2);
  }

  // Grid lines at the x ticks, with their labels under the plot: the numbers,
  // or the category names (each shortened to its slot).
  template <typename ToX>
  void vertical_grid(const Range& rx, ToX px, double top, double bottom, double tick_h,
                     const std::vector<std::string>& names = {}) {
    c_.font(kTickSize);
    const double slot = rx.ticks.size() > 1 ? px(rx.ticks[1]) - px(rx.ticks[0]) : style_.width / 2.0;
    for (std::size_t i = 0; i < rx.ticks.size(); ++i) {
      const double t = rx.ticks[i];
      c_.color(kGrid);
      c_.line(px(t), top, px(t), bottom);
      c_.color(kMuted);
      const std::string label = i < names.size() ? c_.fit(names[i], slot - 6) : tick_label(t, rx.step());
      c_.text(label, px(t), bottom + tick_h + 5, Align::center);
    }
  }

  // A y tick's label: its number, or its category's name.
  std::string y_tick(const Range& ry, std::size_t i) const {
    return i < chart_.y_categories.size() ? c_.fit(chart_.y_categories[i], style_.width * 0.3)
                                          : tick_label(ry.ticks[i], ry.step());
  }

  // An xy chart's plot area: where it sits and how data maps into it.
  struct Plot {
    double left = 0, right = 0, top = 0, bottom = 0;
    Range rx, ry;
    double tick_w = 0, tick_h = 0;  // the widest y tick label, and a tick label's height
    double px(double x) const { return left + (x - rx.low) / (rx.high - rx.low) * (right - left); }
    double py(double y) const { return bottom - (y - ry.low) / (ry.high - ry.low) * (bottom - top); }
  };

  void xy() {
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
        if ((chart_.series[i].kind == Series::Kind::band) == (pass == 0))
          draw_series(chart_.series[i], colors[i], plot);
    cairo_restore(c_.cr());
    legend(colors, plot.left, plot.right, plot.top, plot.bottom);
    color_legend(plot);
  }

  // The ranges of the data (or the chart's natural bounds) and the room the
  // tick labels and axis titles leave; square charts get equal scales.
  Plot xy_plot() {
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
    p.rx =
        chart_.x_categories.empty() ? axis(xs, chart_.x_min, chart_.x_max) : category_axis(chart_.x_categories.size());
    p.ry =
        chart_.y_categories.empty() ? axis(ys, chart_.y_min, chart_.y_max) : category_axis(chart_.y_categories.size());
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

  // Grid lines with their tick labels, the frame and the axis titles.
  void xy_axes(const Plot& p) {
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

  // One series: a filled band, markers, a line or a histogram outline (dashed
  // grey when it is a reference guide, dashed in its colour for comparison).
  void draw_series(const Series& s, Rgb rgb, const Plot& p) {
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

  // Points each in their colour on the scale: grouped into 48 shades, each
  // filled at once, so a file of thousands of points stays small (the grey of
  // no value first, then low to high).
  void shaded_points(const Series& s, const Plot& p) {
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

  // Room right of the plot for the colour scale's legend.
  double color_legend_width() {
    if (!chart_.color_scale) return 0;
    c_.font(kTickSize);
    const double text_w =
        std::max({c_.text_width(chart_.color_scale->low), c_.text_width(chart_.color_scale->high), 10.0});
    return 12 + text_w + 6 + c_.text_height() + 4;
  }

  // The colour scale: a gradient bar, "high" above it and "low" below, and
  // what the colour shows written up its side.
  void color_legend(const Plot& p) {
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

  void legend(const std::vector<Rgb>& colors, double left, double right, double top, double bottom) {
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

  // Horizontal bars from each bar's base (0, or a waterfall's running total),
  // with their labels left of the plot, any text past their ends, and the
  // markers' lines with their labels above the plot.
  void bars() {
    const auto& bars = chart_.bars;
    const bool from_zero = std::all_of(bars.begin(), bars.end(), [](const Bar& b) { return b.base == 0; });
    std::vector<double> values;
    if (from_zero) values.push_back(0.0);
    for (const auto& b : bars) {
      const double e = std::isnan(b.error) ? 0 : b.error;
      values.push_back(b.base);
      values.push_back(b.base + b.value - e);
      values.push_back(b.base + b.value + e);
    }
    for (const auto& m : chart_.markers) values.push_back(m.x);
    c_.font(kTickSize);
    const double tick_h = c_.text_height();
    double label_w = 0;
    const double max_label = style_.width * 0.34;
    for (const auto& b : bars) label_w = std::max(label_w, c_.text_width(c_.fit(b.label, max_label)));
    c_.font(kTextSize);
    const double label_h = c_.text_height();
    const double left = kMargin + (chart_.y_label.empty() ? 0 : label_h + 8) + label_w + 8,
                 right = style_.width - kMargin - 8;
    Range rx = axis(values, chart_.x_min, chart_.x_max);
    if (!chart_.x_min && !chart_.x_max) rx = room_for_bar_text(values, rx, right - left);
    const bool marker_labels =
        std::any_of(chart_.markers.begin(), chart_.markers.end(), [](const Marker& m) { return !m.label.empty(); });
    const double top = top_ + (marker_labels ? tick_h + 8 : 0);
    double bottom = style_.height - kMargin - (chart_.x_label.empty() ? 0 : label_h + 8) - tick_h - 6;
    // Bars no thicker than 36: a few bars stay bars, and the plot ends under the last.
    const double slot = bars.empty() ? 0 : std::min(36.0, (bottom - top) / static_cast<double>(bars.size()));
    if (!bars.empty()) bottom = top + slot * static_cast<double>(bars.size());
    const double x_title_y = bottom + tick_h + 6 + label_h + 8;
    auto px = [&](double x) { return left + (x - rx.low) / (rx.high - rx.low) * (right - left); };
    vertical_grid(rx, px, top, bottom, tick_h);
    markers(px, top, bottom, left, right);  // under the bars and their numbers
    const double font = std::clamp(slot * 0.62, 7.0, kTickSize);
    for (std::size_t i = 0; i < bars.size(); ++i) {
      const Bar& b = bars[i];
      const double cy = top + slot * (static_cast<double>(i) + 0.5), h = std::max(1.0, slot * 0.7);
      const double end = b.base + b.value;
      c_.color(color(b.value < 0 ? 1 : 0));
      const double x0 = px(std::min(b.base, end)), x1 = px(std::max(b.base, end));
      c_.rect(x0, cy - h / 2, std::max(0.5, x1 - x0), h);
      if (!std::isnan(b.error)) {
        c_.color(kInk);
        const double e0 = px(end - b.error), e1 = px(end + b.error), cap = std::min(4.0, h / 3);
        c_.line(e0, cy, e1, cy, 1.1);
        c_.line(e0, cy - cap, e0, cy + cap, 1.1);
        c_.line(e1, cy - cap, e1, cy + cap, 1.1);
      }
      c_.font(font);
      c_.color(kInk);
      c_.text(c_.fit(b.label, max_label), left - 6, cy + c_.text_height() / 2 - 1, Align::right);
      if (!b.text.empty())
        c_.haloed_text(b.text, b.value < 0 ? px(end) - 4 : px(end) + 4, cy + c_.text_height() / 2 - 1,
                       b.value < 0 ? Align::right : Align::left);
    }
    if (from_zero) {
      c_.color(kInk);
      c_.line(px(0), top, px(0), bottom, 1);
    }
    c_.color(kFrame);
    cairo_rectangle(c_.cr(), left, top, right - left, bottom - top);
    cairo_set_line_width(c_.cr(), 1);
    cairo_stroke(c_.cr());
    axis_titles(left, right, top, bottom, label_w, x_title_y);
    used_height_ = x_title_y + kMargin;
  }

  // The range widened until every bar's text fits past its end: the text is
  // measured at the first range's scale, then the axis covers the text too.
  Range room_for_bar_text(std::vector<double> values, const Range& rx, double plot_w) {
    c_.font(kTickSize);
    const double per_point = (rx.high - rx.low) / plot_w;
    bool any = false;
    for (const auto& b : chart_.bars) {
      if (b.text.empty()) continue;
      any = true;
      const double end = b.base + b.value, room = (c_.text_width(b.text) + 8) * per_point;
      values.push_back(b.value < 0 ? end - room : end + room);
    }
    return any ? axis(values, std::nullopt, std::nullopt) : rx;
  }

  // Each marker's line across the plot and its label above the plot, centred
  // on the line but pushed right of the one before when they would overlap.
  template <typename ToX>
  void markers(ToX px, double top, double bottom, double left, double right) {
    std::vector<const Marker*> sorted;
    for (const auto& m : chart_.markers) sorted.push_back(&m);
    std::stable_sort(sorted.begin(), sorted.end(), [](const Marker* a, const Marker* b) { return a->x < b->x; });
    c_.font(kTickSize);
    double taken = -INFINITY;
    for (const Marker* m : sorted) {
      c_.color(m->emphasis ? kInk : kGuide);
      c_.line(px(m->x), top, px(m->x), bottom, m->emphasis ? 1.6 : 1.2, !m->emphasis);
      if (m->label.empty()) continue;
      const std::string label = c_.fit(m->label, (right - left) / 2);
      const double w = c_.text_width(label);
      const double start = std::clamp(std::max(px(m->x) - w / 2, taken + 18), left, std::max(left, right - w));
      c_.color(m->emphasis ? kInk : kMuted);
      c_.text(label, start, top - 6);
      taken = start + w;
    }
  }

  void heatmap() {
    const std::size_t rows = chart_.row_labels.size(), cols = chart_.col_labels.size();
    if (rows == 0 || cols == 0) return;
    double max = 0;
    for (const auto& r : chart_.cells)
      for (double v : r) max = std::max(max, v);
    c_.font(kTextSize);
    const double label_h = c_.text_height();
    c_.font(kTickSize);
    const double max_label = style_.width * 0.28;
    double row_w = 0;
    for (const auto& l : chart_.row_labels) row_w = std::max(row_w, c_.text_width(c_.fit(l, max_label)));
    double left = kMargin + (chart_.y_label.empty() ? 0 : label_h + 8) + row_w + 8;
    // Column labels go under the cells; tilted when they do not fit side by side.
    double col_w = 0;
    for (const auto& l : chart_.col_labels) col_w = std::max(col_w, c_.text_width(c_.fit(l, max_label)));
    const double avail_w = style_.width - kMargin - left;
    const double bottom_room = label_h + 8 + kMargin;
    double cell = std::min(avail_w / static_cast<double>(cols),
                           (style_.height - top_ - bottom_room - 24) / static_cast<double>(rows));
    const bool tilt = col_w + 6 > cell;
    const double col_room = tilt ? std::min(col_w, max_label) * std::sin(M_PI / 4) + 12 : c_.text_height() + 8;
    cell = std::min(avail_w / static_cast<double>(cols),
                    (style_.height - top_ - bottom_room - col_room) / static_cast<double>(rows));
    left += (avail_w - cell * static_cast<double>(cols)) / 2;  // centred
    const double top = top_, right = left + cell * static_cast<double>(cols),
                 bottom = top + cell * static_cast<double>(rows);
    const Rgb light = Rgb::parse("#f4f8fc"), dark = Rgb::parse("#08306b");
    const double font = std::clamp(cell / 4.2, 7.0, 13.0);
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t k = 0; k < cols; ++k) {
        const double v = chart_.cells[r][k], t = max > 0 ? v / max : 0;
        const double x = left + cell * static_cast<double>(k), y = top + cell * static_cast<double>(r);
        c_.color(light.mix(dark, std::sqrt(t)));
        c_.rect(x, y, cell, cell);
        c_.color(kWhite);
        c_.line(x, y, x + cell, y, 1);
        c_.line(x, y, x, y + cell, 1);
        if (cell >= 14 && r < chart_.cell_text.size() && k < chart_.cell_text[r].size()) {
          c_.font(font);
          c_.color(std::sqrt(t) > 0.55 ? kWhite : kInk);
          c_.text(c_.fit(chart_.cell_text[r][k], cell - 4), x + cell / 2, y + cell / 2 + c_.text_height() / 2 - 1,
                  Align::center);
        }
      }
    c_.font(std::clamp(cell * 0.55, 7.0, kTickSize));
    c_.color(kInk);
    for (std::size_t r = 0; r < rows; ++r)
      c_.text(c_.fit(chart_.row_labels[r], max_label), left - 6,
              top + cell * (static_cast<double>(r) + 0.5) + c_.text_height() / 2 - 1, Align::right);
    for (std::size_t k = 0; k < cols; ++k) {
      const double cx = left + cell * (static_cast<double>(k) + 0.5);
      if (tilt) c_.text(c_.fit(chart_.col_labels[k], max_label), cx + 3, bottom + 8, Align::right, -M_PI / 4);
      else c_.text(chart_.col_labels[k], cx, bottom + c_.text_height() + 5, Align::center);
    }
    c_.font(kTextSize);
    if (!chart_.x_label.empty()) c_.text(chart_.x_label, (left + right) / 2, style_.height - kMargin, Align::center);
    if (!chart_.y_label.empty())
      c_.text(chart_.y_label, left - row_w - 14, (top + bottom) / 2, Align::center, -M_PI / 2);
  }

  Canvas c_;
  const Chart& chart_;
  const ChartStyle& style_;
  std::vector<Rgb> palette_;
  double top_ = 0;
  double used_height_ = 0;  // how far down the chart drew (bars: the plot ends under the last bar)

 public:
  double used_height() const { return used_height_ > 0 ? used_height_ : style_.height; }
};

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

ImageFormat image_format(const std::string& path) {
  auto ends = [&](const char* ext) {
    std::string lower = path;
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return lower.ends_with(ext);
  };
  if (ends(".svg")) return ImageFormat::svg;
  if (ends(".png")) return ImageFormat::png;
  if (ends(".pdf")) return ImageFormat::pdf;
  throw UsageError("'" + path + "': the image format comes from the extension: .svg, .png or .pdf");
}

namespace {

// Cairo numbers its SVG surfaces ("surface12") with a counter for the whole
// process: numbered again from 1 in the order met, the same chart is the same
// bytes whatever was drawn before it.
std::string renumbered_surfaces(const std::string& svg) {
  static constexpr std::string_view kWord = "surface";
  std::map<std::string, std::size_t, std::less<>> seen;
  std::string out;
  std::size_t copied = 0;
  for (std::size_t at = svg.find(kWord); at != std::string::npos; at = svg.find(kWord, at + kWord.size())) {
    if (at == 0 || (svg[at - 1] != '"' && svg[at - 1] != '#')) continue;
    std::size_t end = at + kWord.size();
    while (end < svg.size() && std::isdigit(static_cast<unsigned char>(svg[end]))) ++end;
    if (end == at + kWord.size()) continue;
    const std::size_t n =
        seen.emplace(svg.substr(at + kWord.size(), end - at - kWord.size()), seen.size() + 1).first->second;
    out.append(svg, copied, at - copied).append(kWord).append(std::to_string(n));
    copied = end;
  }
  return out.append(svg, copied);
}

// Bars are no thicker than they need to be, so a bar chart with few bars is
// drawn once off-screen to find where it ends, and its image ends there.
ChartStyle fitted(const Chart& chart, ChartStyle style) {
  if (chart.kind != Chart::Kind::bars) return style;
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, nullptr), cairo_surface_destroy);
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface.get()), cairo_destroy);
  Painter painter(cr.get(), chart, style);
  painter.draw();
  style.height = std::clamp(static_cast<int>(std::ceil(painter.used_height())), 150, style.height);
  return style;
}

}  // namespace

std::string render(const Chart& chart, ImageFormat format, const ChartStyle& requested) {
  if (requested.width < 200 || requested.height < 150 || requested.width > 10000 || requested.height > 10000)
    throw UsageError("chart size " + std::to_string(requested.width) + "x" + std::to_string(requested.height) +
                     " is outside 200x150 .. 10000x10000");
  const ChartStyle style = fitted(chart, requested);
  std::string bytes;
  cairo_surface_t* surface = nullptr;
  switch (format) {
    case ImageFormat::svg:
      surface = cairo_svg_surface_create_for_stream(append, &bytes, style.width, style.height);
      break;
    case ImageFormat::pdf:
      surface = cairo_pdf_surface_create_for_stream(append, &bytes, style.width, style.height);
      break;
    case ImageFormat::png: surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, style.width, style.height); break;
  }
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> owned(surface, cairo_surface_destroy);
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface), cairo_destroy);
  Painter(cr.get(), chart, style).draw();
  if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS)
    throw Error(std::string("drawing the chart failed: ") + cairo_status_to_string(cairo_status(cr.get())));
  cr.reset();
  if (format == ImageFormat::png) cairo_surface_write_to_png_stream(surface, append, &bytes);
  cairo_surface_finish(surface);
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
    throw Error(std::string("writing the chart failed: ") + cairo_status_to_string(cairo_surface_status(surface)));
  return format == ImageFormat::svg ? renumbered_surfaces(bytes) : bytes;
}

std::string render_inline_svg(const Chart& chart, const std::string& prefix, const ChartStyle& style) {
  std::string svg = render(chart, ImageFormat::svg, style);
  if (const auto start = svg.find("<svg"); start != std::string::npos) svg.erase(0, start);
  for (const std::string needle : {"id=\"", "href=\"#", "url(#"}) {
    for (std::size_t at = svg.find(needle); at != std::string::npos;
         at = svg.find(needle, at + needle.size() + prefix.size()))
      svg.insert(at + needle.size(), prefix);
  }
  return svg;
}

void save_chart(const Chart& chart, const std::string& path, const ChartStyle& style) {
  write_file_atomic(path, render(chart, image_format(path), style));
}

std::vector<double> nice_ticks(double low, double high, int target) {
  if (!(low <= high) || !std::isfinite(low) || !std::isfinite(high)) return {0, 1};
  if (high - low < 1e-12 * std::max(1.0, std::abs(low))) {  // one value: a unit around it
    const double pad = low == 0 ? 1 : std::pow(10, std::floor(std::log10(std::abs(low))));
    low -= pad, high += pad;
  }
  const double raw = (high - low) / std::max(1, target - 1);
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * magnitude >= raw) {
      step = m * magnitude;
      break;
    }
  const double first = std::floor(low / step + 1e-9) * step, last = std::ceil(high / step - 1e-9) * step;
  std::vector<double> out;
  const auto count = static_cast<long>(std::llround((last - first) / step));
  for (long i = 0; i <= count; ++i) {
    const double t = first + static_cast<double>(i) * step;  // not accumulated: no drift
    out.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  }
  return out;
}

std::string tick_label(double value, double step) {
  int decimals = 0;
  while (decimals < 8 && std::abs(step * std::pow(10, decimals) - std::round(step * std::pow(10, decimals))) > 1e-6)
    ++decimals;
  char buf[64];
  if (std::abs(value) >= 1e9 || (std::abs(value) < 1e-4 && value != 0)) {
    std::snprintf(buf, sizeof buf, "%.3g", value);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  std::string text = buf;
  if (std::abs(value) >= 10000) {  // 250,000: digits grouped by thousands
    const std::size_t end = text.find('.') == std::string::npos ? text.size() : text.find('.');
    const std::size_t begin = text[0] == '-' ? 1 : 0;
    for (std::size_t at = end; at > begin + 3; at -= 3) text.insert(at - 3, ",");
  }
  return text;
}

}  // namespace shipml
