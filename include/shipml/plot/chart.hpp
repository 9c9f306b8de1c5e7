#pragma once
/// \file
/// A chart is data plus the few decisions that make it readable: title, axis
/// labels, fixed axis ranges where the quantity has natural bounds, the series
/// with their legend names, and which corner the legend sits in. Rendering
/// (render.cpp, over Cairo) makes every other decision once, the same way for
/// every chart: ticks at round numbers, a colour-blind-safe palette, text that
/// never overlaps and long names shortened with an ellipsis. Tests check what a
/// chart shows through this structure; the pixels follow from it.
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"

namespace shipml {

/// One series of an xy chart: its points and how they are drawn.
struct SHIPML_API Series {
  /// How a series is drawn.
  enum class Kind {
    line,    ///< points joined in order
    step,    ///< a histogram outline: y[i] holds from x[i] to x[i + 1] (x has one more value)
    points,  ///< markers only
    band,    ///< the area between low and high (a std band), drawn under the lines
  };
  Kind kind = Kind::line;  ///< how it is drawn
  std::string name;        ///< legend entry ("" = not in the legend)
  /// Horizontal coordinates.
  std::vector<double> x, y;  ///< vertical coordinates
  /// Band: the lower edge at each x.
  std::vector<double> low, high;  ///< band: the upper edge at each x
  int color = -1;                 ///< palette index; -1 = the next one
  bool reference = false;         ///< a dashed grey guide (chance line, identity line)
  bool dashed = false;            ///< dashed in its own colour: a curve shown to compare with (before calibration)
  double width = 2;               ///< a line's width, in points
  double opacity = 1;             ///< a line's opacity: many thin translucent lines show where most of them run
  /// Points: each point's place on the chart's colour scale, 0 (low) to 1
  /// (high), or NaN for a point with no value there (drawn grey). Empty: every
  /// point in the series' colour.
  std::vector<double> shade;
};

/// One bar of a horizontal bar chart (importances): top to bottom in order.
struct SHIPML_API Bar {
  std::string label;                                        ///< the label, left of the bar
  double value = 0;                                         ///< the bar's length
  double error = std::numeric_limits<double>::quiet_NaN();  ///< drawn as ± error
  double base = 0;   ///< where the bar starts (a waterfall's running total); it ends at base + value
  std::string text;  ///< shown beyond the bar's end ("" = nothing): its value, say
};

/// A labelled vertical line across a bar chart: a waterfall's start and end.
struct SHIPML_API Marker {
  double x = 0;           ///< where it stands on the horizontal axis
  std::string label;      ///< written above the plot, over the line
  bool emphasis = false;  ///< solid and dark (the result), or dashed grey (a reference)
};

/// A colour scale for points shaded by a value (Series::shade), with its legend.
struct SHIPML_API ColorScale {
  std::string label;          ///< what the colour shows ("feature value", a column's name)
  std::string low = "low";    ///< the legend's text at the low end
  std::string high = "high";  ///< the legend's text at the high end
};

/// Data plus the decisions that make it readable: title, axes, ranges, series, legend.
struct SHIPML_API Chart {
  /// What the chart draws.
  enum class Kind {
    xy,      ///< series against two axes
    bars,    ///< horizontal bars
    heatmap  ///< a grid of shaded cells with text
  };
  /// A corner of the plot, where the legend sits.
  enum class Corner {
    top_left,     ///< upper left
    top_right,    ///< upper right
    bottom_left,  ///< lower left
    bottom_right  ///< lower right
  };
  Kind kind = Kind::xy;  ///< what the chart draws
  /// Title above the chart.
  std::string title, subtitle;  ///< a smaller line under the title ("" = none)
  /// Label of the horizontal axis.
  std::string x_label, y_label;  ///< label of the vertical axis

  // xy
  std::vector<Series> series;  ///< xy: the series, drawn in order
  /// xy: fixed lower bound of the horizontal axis, where the quantity has a
  /// natural one (probabilities: 0..1); unset, the data decides.
  std::optional<double> x_min, x_max, y_min, y_max;  ///< fixed upper bound of the vertical axis
  /// \var x_max
  /// Fixed upper bound of the horizontal axis; unset, the data decides.
  /// \var y_min
  /// Fixed lower bound of the vertical axis; unset, the data decides.
  bool square = false;                   ///< equal axes (ROC, calibration)
  Corner legend = Corner::bottom_right;  ///< where the legend sits
  /// Legend names may take most of the plot's width (85%, not 55%): for a few
  /// long names worth reading whole, such as the scores of a calibration.
  bool wide_legend = false;
  /// xy: names for the horizontal positions 0, 1, 2, ... (a categorical axis),
  /// written in place of numeric ticks; empty: a numeric axis.
  std::vector<std::string> x_categories;
  /// xy: names for the vertical positions 0, 1, 2, ... from the bottom up
  /// (a beeswarm's rows); empty: a numeric axis.
  std::vector<std::string> y_categories;
  /// xy: the scale of shaded points (Series::shade), drawn as a legend right of the plot.
  std::optional<ColorScale> color_scale;

  // bars: negative values (coefficients) drawn in the second colour
  std::vector<Bar> bars;        ///< bars: top to bottom
  std::vector<Marker> markers;  ///< bars: labelled vertical lines

  // heatmap: cells[row][col], with the text shown in each cell
  /// Heatmap: the label of each row.
  std::vector<std::string> row_labels, col_labels;  ///< heatmap: the label of each column
  std::vector<std::vector<double>> cells;           ///< heatmap: the value of each cell, `cells[row][col]`
  std::vector<std::vector<std::string>> cell_text;  ///< heatmap: the text shown in each cell
};

/// Overrides; nothing here is required.
struct SHIPML_API ChartStyle {
  /// Width, in points (SVG, PDF) or pixels (PNG).
  int width = 720, height = 480;     ///< height, in points (SVG, PDF) or pixels (PNG)
  std::string title;                 ///< replaces the chart's own
  std::vector<std::string> palette;  ///< `#rrggbb` colours; default: Okabe-Ito (colour-blind safe)
};

/// An image file format.
enum class ImageFormat {
  svg,  ///< SVG, scalable vector graphics
  png,  ///< PNG, a bitmap
  pdf   ///< PDF, vector
};
/// From a file name's extension (.svg, .png, .pdf); a UsageError otherwise.
SHIPML_API ImageFormat image_format(const std::string& path);

/// The chart as the bytes of an image file.
SHIPML_API std::string render(const Chart& chart, ImageFormat format, const ChartStyle& style = {});
/// The chart as an `<svg>` element to place in an HTML page beside others (a
/// report, a notebook): Cairo names glyphs and clip paths "glyph0-1", "clip1"
/// in every file, so side by side they would collide; each id gets `prefix`.
SHIPML_API std::string render_inline_svg(const Chart& chart, const std::string& prefix, const ChartStyle& style = {});
/// Renders to `path` (format from its extension), written atomically.
SHIPML_API void save_chart(const Chart& chart, const std::string& path, const ChartStyle& style = {});

/// Round tick values covering [low, high]: steps of 1, 2 or 5 x 10^k, at most
/// about `target` of them; the first tick <= low and the last >= high.
SHIPML_API std::vector<double> nice_ticks(double low, double high, int target = 6);
/// A tick's label with just the decimals its step needs.
SHIPML_API std::string tick_label(double value, double step);

}  // namespace shipml
