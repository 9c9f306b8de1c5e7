// Draws a Chart with Cairo to SVG, PNG or PDF (the painter lays it out:
// painter.hpp), and the ticks every axis uses.
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <string_view>

#include "painter.hpp"
#include "shipml/core/error.hpp"
#include "shipml/io/file.hpp"
#include "shipml/plot/chart.hpp"

namespace shipml {
namespace {

using plot::Painter;
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
