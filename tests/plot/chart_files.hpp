#pragma once
// What the chart tests check of a rendered file, as a reader's program would
// open it: an SVG must parse as XML, a PNG must be a PNG of some substance.
// With SHIPML_CHART_DIR set, the charts are also written there to be looked at.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "shipml/plot/chart.hpp"
#include "support.hpp"

namespace shipml::test {

/// Whether Python's XML parser (what a browser's would say, in short) accepts `svg`.
inline bool parses_as_xml(const std::string& svg) {
  TempDir tmp;
  write_file_atomic(tmp.file("chart.svg"), svg);
  const std::string command = "/usr/bin/python3 -c 'import sys, xml.etree.ElementTree as e; e.parse(sys.argv[1])' " +
                              tmp.file("chart.svg") + " 2>/dev/null";
  return std::system(command.c_str()) == 0;
}

/// Renders `chart` as SVG, PNG and PDF and checks each file; writes the PNG
/// and SVG to $SHIPML_CHART_DIR when it is set.
inline void expect_renders(const Chart& chart, const std::string& name) {
  const std::string svg = render(chart, ImageFormat::svg);
  EXPECT_NE(svg.find("<svg"), std::string::npos) << name;
  EXPECT_TRUE(parses_as_xml(svg)) << name << ": the SVG is not well-formed XML";
  const std::string png = render(chart, ImageFormat::png);
  EXPECT_GT(png.size(), 2000u) << name;
  EXPECT_EQ(png.substr(1, 3), "PNG") << name;
  EXPECT_EQ(render(chart, ImageFormat::pdf).substr(0, 4), "%PDF") << name;
  if (const char* dir = std::getenv("SHIPML_CHART_DIR")) {
    save_chart(chart, std::string(dir) + "/" + name + ".png");
    save_chart(chart, std::string(dir) + "/" + name + ".svg");
  }
}

}  // namespace shipml::test
