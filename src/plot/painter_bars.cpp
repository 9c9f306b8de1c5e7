// Horizontal bars: from zero, or each from its own base (a waterfall), with markers.
#include <algorithm>
#include <cmath>

#include "painter.hpp"

namespace shipml::plot {

void Painter::bars() {
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

Range Painter::room_for_bar_text(std::vector<double> values, const Range& rx, double plot_w) {
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

}  // namespace shipml::plot
