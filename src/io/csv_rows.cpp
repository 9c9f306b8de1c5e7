#include "io/csv_rows.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <unordered_map>

#include "shipml/core/error.hpp"
#include "shipml/core/names.hpp"

namespace shipml::csv {

Column ColumnBuilder::finish() {
  if (!text && !first_infinite.empty())
    throw DataError(first_infinite + " in column '" + name +
                    "' is not a finite number; shipml reads finite numbers only (an empty cell is missing)");
  if (!text) return Column::numeric(std::move(name), std::move(numbers));
  // Sorted dictionaries make the codes independent of row order.
  std::vector<std::int32_t> order(categories.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::int32_t>(i);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return categories[a] < categories[b]; });
  std::vector<std::int32_t> remap(order.size());
  auto sorted = std::make_shared<Categories>();
  sorted->reserve(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    remap[order[i]] = static_cast<std::int32_t>(i);
    sorted->push_back(std::move(categories[order[i]]));
  }
  for (auto& c : codes)
    if (c != kMissingCode) c = remap[c];
  return Column::categorical(std::move(name), std::move(codes), std::move(sorted));
}

Layout read_layout(Tokenizer& tokens, const CsvOptions& options, const std::string& source) {
  std::vector<Cell> cells;
  if (!tokens.next(cells)) throw DataError(source + ": empty file (no header row)");
  Layout layout;
  auto& columns = layout.columns;
  columns.resize(cells.size());
  std::unordered_map<std::string, std::size_t> by_name;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    std::string name(cells[i].text);
    if (name.empty()) name = "column_" + std::to_string(i + 1);
    if (auto [it, added] = by_name.emplace(name, i); !added)
      throw DataError(source + ":" + std::to_string(tokens.row_line()) + ": duplicate column name '" + echoed(name) +
                      "' (fields " + std::to_string(it->second + 1) + " and " + std::to_string(i + 1) + ")");
    columns[i].name = std::move(name);
  }
  std::vector<std::string> header;
  for (const auto& c : columns) header.push_back(c.name);
  // A column the data must have is missing: say so before any declaration about it.
  auto require = [&](const std::vector<std::string>& names) {
    for (const auto& n : names)
      if (!by_name.count(n))
        throw DataError(source + ": no column named '" + echoed(n) + "' (columns: " + listed(header) + ")");
  };
  require(options.required);
  require(options.columns);
  auto declare = [&](const std::vector<std::string>& names, Declared how, const char* what) {
    for (const auto& n : names) {
      auto it = by_name.find(n);
      if (it == by_name.end())
        throw UsageError(source + ": cannot declare '" + n + "' " + what +
                         ": no such column (columns: " + listed(header) + ")");
      columns[it->second].declared = how;
      columns[it->second].text = how == Declared::categorical;
    }
  };
  declare(options.categorical, Declared::categorical, "categorical");
  declare(options.numeric, Declared::numeric, "numeric");
  if (!options.columns.empty()) {
    for (auto& c : columns) c.keep = false;
    for (const auto& n : options.columns) columns[by_name.at(n)].keep = true;
  }
  layout.data_begin = tokens.pos();
  layout.data_line = tokens.line();
  return layout;
}

RowReader::RowReader(std::string_view text, const Layout& layout, const CsvOptions& options,
                     const MissingTokens& missing, const std::string& source)
    : columns(layout.columns), text_(text), options_(options), missing_(missing), source_(source) {}

bool RowReader::add(ColumnBuilder& column, const Cell& cell, std::size_t line, std::size_t field) {
  if (missing_(cell.text)) {
    column.add_missing();
    return true;
  }
  if (column.text) {
    column.add_text(cell.text);
    return true;
  }
  if (auto value = parse_number(cell.text)) {
    if (std::isinf(*value) && column.first_infinite.empty())
      column.first_infinite =
          source_ + ":" + std::to_string(line) + ":" + std::to_string(cell.column) + ": '" + echoed(cell.text) + "'";
    column.add_number(*value);
    return true;
  }
  if (column.declared == Declared::numeric)
    throw DataError(source_ + ":" + std::to_string(line) + ":" + std::to_string(cell.column) + ": column '" +
                    column.name + "' (field " + std::to_string(field + 1) + ") is declared numeric, but '" +
                    echoed(cell.text) + "' is not a number");
  return false;
}

bool RowReader::read(std::size_t begin, std::size_t line, std::size_t limit, std::size_t max_rows) {
  Tokenizer tokens(text_, options_.delimiter, source_);
  tokens.seek(begin, line);
  std::vector<Cell> cells;
  std::size_t end = begin;  // after the last row read
  while (tokens.next(cells, limit)) {
    if (rows_.size() == max_rows) return false;
    const std::size_t row_line = tokens.row_line();
    if (cells.size() != columns.size())
      throw DataError(source_ + ":" + std::to_string(row_line) + ": expected " + std::to_string(columns.size()) +
                      " fields (as in the header), found " + std::to_string(cells.size()));
    rows_.push_back({tokens.row_start(), row_line});
    end = tokens.pos();
    for (std::size_t j = 0; j < cells.size(); ++j) {
      if (!columns[j].keep || add(columns[j], cells[j], row_line, j)) continue;
      // First text in a numeric-looking column: it is categorical after all.
      columns[j].become_text();
      replay({j}, rows_.size() - 1);
      add(columns[j], cells[j], row_line, j);
    }
  }
  return end <= limit;
}

void RowReader::replay(const std::vector<std::size_t>& fields, std::size_t rows) {
  Tokenizer again(text_, options_.delimiter, source_);
  std::vector<Cell> cells;
  for (std::size_t r = 0; r < rows; ++r) {
    again.seek(rows_[r].pos, rows_[r].line);
    again.next(cells);
    for (const std::size_t j : fields) add(columns[j], cells[j], rows_[r].line, j);
  }
}

void RowReader::as_text(const std::vector<bool>& text_columns) {
  std::vector<std::size_t> fields;
  for (std::size_t j = 0; j < columns.size(); ++j)
    if (text_columns[j] && !columns[j].text) {
      columns[j].become_text();
      fields.push_back(j);
    }
  if (!fields.empty()) replay(fields, rows_.size());
}

Frame finish(std::vector<ColumnBuilder>& columns) {
  Frame frame;
  for (auto& c : columns)
    if (c.keep) frame.add(c.finish());
  return frame;
}

}  // namespace shipml::csv
