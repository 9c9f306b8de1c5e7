#pragma once
// The painter every chart kind shares: the page (title, subtitle), the
// palette, axes, grid, legends and markers, laid out once. Each kind draws
// in its own file: painter_xy.cpp, painter_bars.cpp, painter_heatmap.cpp.
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "canvas.hpp"
#include "shipml/plot/chart.hpp"

namespace shipml::plot {

using Align = Canvas::Align;

// Okabe & Ito's palette: distinguishable with every common colour-vision deficiency.
inline const std::vector<std::string> kPalette = {"#0072B2", "#E69F00", "#009E73", "#D55E00",
                                                  "#CC79A7", "#56B4E9", "#F0E442", "#000000"};
inline const Rgb kInk = Rgb::parse("#222222"), kMuted = Rgb::parse("#666666"), kGrid = Rgb::parse("#e6e6e6"),
                 kFrame = Rgb::parse("#bbbbbb"), kGuide = Rgb::parse("#888888"), kWhite{1, 1, 1},
                 kNoValue = Rgb::parse("#aaaaaa");  // a shaded point with no value on the scale
constexpr double kMargin = 14, kTitleSize = 15, kTextSize = 11.5, kTickSize = 10.5;

struct Range {
  double low = 0, high = 1;
  std::vector<double> ticks;
  double step() const { return ticks.size() > 1 ? ticks[1] - ticks[0] : 1; }
};

// Axis range: natural bounds when the chart gives them, else the round ticks that cover the data.
Range axis(std::vector<double> values, std::optional<double> lo, std::optional<double> hi);
// A categorical axis: position i is category i, with half a step of room either side.
Range category_axis(std::size_t count);

class Painter {
 public:
  Painter(cairo_t* cr, const Chart& chart, const ChartStyle& style) : c_(cr), chart_(chart), style_(style) {
    for (const auto& hex : style.palette.empty() ? kPalette : style.palette) palette_.push_back(Rgb::parse(hex));
  }

  void draw();
  /// How far down the last draw() went: a bar chart ends under its last bar.
  double used_height() const { return used_height_ > 0 ? used_height_ : style_.height; }

 private:
  Rgb color(int index) const { return palette_[static_cast<std::size_t>(index) % palette_.size()]; }

  // The colour scale of shaded points: the palette's first colour (blue) for
  // low, through its fifth (reddish purple) to its fourth (vermillion) for
  // high, as SHAP's blue-to-red, from colours every reader tells apart.
  Rgb scale_color(double t) const;

  // Axis titles: x centred under the plot, y rotated beside the tick labels
  // (`labels_width` wide) on the plot's left.
  void axis_titles(double left, double right, double top, double bottom, double labels_width, double x_title_y = 0);

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
  std::string y_tick(const Range& ry, std::size_t i) const;

  // An xy chart's plot area: where it sits and how data maps into it.
  struct Plot {
    double left = 0, right = 0, top = 0, bottom = 0;
    Range rx, ry;
    double tick_w = 0, tick_h = 0;  // the widest y tick label, and a tick label's height
    double px(double x) const { return left + (x - rx.low) / (rx.high - rx.low) * (right - left); }
    double py(double y) const { return bottom - (y - ry.low) / (ry.high - ry.low) * (bottom - top); }
  };

  void xy();

  // The ranges of the data (or the chart's natural bounds) and the room the
  // tick labels and axis titles leave; square charts get equal scales.
  Plot xy_plot();

  // Grid lines with their tick labels, the frame and the axis titles.
  void xy_axes(const Plot& p);

  // One series: a filled band, markers, a line or a histogram outline (dashed
  // grey when it is a reference guide, dashed in its colour for comparison).
  void draw_series(const Series& s, Rgb rgb, const Plot& p);

  // Points each in their colour on the scale: grouped into 48 shades, each
  // filled at once, so a file of thousands of points stays small (the grey of
  // no value first, then low to high).
  void shaded_points(const Series& s, const Plot& p);

  // Room right of the plot for the colour scale's legend.
  double color_legend_width();

  // The colour scale: a gradient bar, "high" above it and "low" below, and
  // what the colour shows written up its side.
  void color_legend(const Plot& p);

  // The named series' swatches and names, in a box in the chart's legend corner.
  void legend(const std::vector<Rgb>& colors, double left, double right, double top, double bottom);

  // Horizontal bars from each bar's base (0, or a waterfall's running total),
  // with their labels left of the plot, any text past their ends, and the
  // markers' lines with their labels above the plot.
  void bars();

  // The range widened until every bar's text fits past its end: the text is
  // measured at the first range's scale, then the axis covers the text too.
  Range room_for_bar_text(std::vector<double> values, const Range& rx, double plot_w);

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

  void heatmap();

  Canvas c_;
  const Chart& chart_;
  const ChartStyle& style_;
  std::vector<Rgb> palette_;
  double top_ = 0;
  double used_height_ = 0;  // how far down the chart drew (bars: the plot ends under the last bar)
};

}  // namespace shipml::plot
