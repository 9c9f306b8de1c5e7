// Heatmaps: a grid of cells shaded by value, with their numbers.
#include <algorithm>
#include <cmath>

#include "painter.hpp"

namespace shipml::plot {

void Painter::heatmap() {
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
  if (!chart_.y_label.empty()) c_.text(chart_.y_label, left - row_w - 14, (top + bottom) / 2, Align::center, -M_PI / 2);
}

}  // namespace shipml::plot
