// A SQLite or PostgreSQL table or query as a source of rows. The engines'
// readers (sql_rows.hpp) hand over cells; here each column's SQL type decides
// what it becomes (docs/data.md, the type table), so every block of a source
// has the same column types.
#include <algorithm>
#include <cmath>
#include <set>

#include "shipml/core/error.hpp"
#include "shipml/io/csv.hpp"
#include "sources/column_builder.hpp"
#include "sources/database_uri.hpp"
#include "sources/sql_rows.hpp"
#include "sources/sql_source.hpp"

namespace shipml::sources {
namespace {

using sql::Cell;
using sql::Kind;
using Mode = ColumnBuilder::Mode;

// "2024-01-02 03:04:05+00" (PostgreSQL, in UTC) or "2024-01-02 03:04:05" (SQLite)
// as ISO-8601 "2024-01-02T03:04:05", which --time splits read.
std::string_view iso_time(std::string_view text, std::string& scratch) {
  if (text.size() < 11 || text[4] != '-' || text[7] != '-' || text[10] != ' ') return text;
  scratch.assign(text);
  scratch[10] = 'T';
  for (const char* utc : {"+00:00", "+00", "Z"})
    if (scratch.ends_with(utc)) {
      scratch.resize(scratch.size() - std::string_view(utc).size());
      break;
    }
  return scratch;
}

std::optional<double> boolean_value(std::string_view text) {
  std::string t(text);
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  if (t == "t" || t == "true" || t == "1") return 1.0;
  if (t == "f" || t == "false" || t == "0") return 0.0;
  return std::nullopt;
}

// A result column kept, and how it is read.
struct Plan {
  std::size_t index;  // in the result
  sql::ResultColumn column;
  bool declared_numeric = false, declared_categorical = false;
};

class SqlSource : public DataSource {
 public:
  explicit SqlSource(SourceSpec spec) : spec_(std::move(spec)), uri_(sql::parse_database_uri(spec_.location)) {
    if (spec_.table.empty() == spec_.query.empty())
      throw UsageError(uri_.shown + ": " +
                       (spec_.table.empty()
                            ? "a database source needs a table or a query (--table T or --query 'SELECT ...')"
                            : "give a table or a query, not both"));
    query_ = spec_.table.empty() ? spec_.query : "SELECT * FROM " + sql::quote_table(spec_.table, uri_.shown);
    while (!query_.empty() && (std::isspace(static_cast<unsigned char>(query_.back())) || query_.back() == ';'))
      query_.pop_back();
    rows_ = uri_.engine == sql::Engine::sqlite ? sql::read_sqlite(uri_.target, query_, uri_.shown)
                                               : sql::read_postgres(uri_.target, query_, uri_.shown);
    plan();
  }

  Frame read_all() override {
    auto builders = start(false);
    while (fetch(builders, 8192) > 0) {
    }
    return finish(builders);
  }

  std::optional<SourceBlock> next_block(std::size_t bytes) override {
    if (done_) return std::nullopt;
    auto builders = start(true);
    const std::size_t first = read_;
    const std::size_t wanted = std::max<std::size_t>(1, bytes / (16 * std::max<std::size_t>(1, plans_.size())));
    if (fetch(builders, wanted) < wanted) done_ = true;
    if (read_ == first) return std::nullopt;
    auto frame = std::make_shared<Frame>(finish(builders));
    return SourceBlock{first, [frame] { return *frame; }};
  }

  std::string describe() const override {
    if (!spec_.table.empty()) return uri_.shown + ", table " + spec_.table;
    return uri_.shown + ", query " + spec_.query.substr(0, 60);
  }

  nlohmann::json record() const override {
    nlohmann::json j = {{"kind", uri_.engine == sql::Engine::sqlite ? "sqlite" : "postgresql"},
                        {"location", uri_.shown}};
    if (!spec_.table.empty()) j["table"] = spec_.table;
    else j["query"] = spec_.query;
    return j;
  }

 private:
  // Which result columns are read, and as what; every name the spec gives must exist.
  void plan() {
    const auto& columns = rows_->columns();
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (const auto& c : columns) {
      if (!seen.insert(c.name).second)
        throw DataError(describe() + ": the result has two columns named '" + c.name + "' (rename one in --query)");
      names.push_back(c.name);
    }
    auto listed = [&] {
      std::string out;
      for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
      return out;
    };
    auto check = [&](const std::vector<std::string>& wanted, const char* what) {
      for (const auto& n : wanted)
        if (!seen.count(n))
          throw UsageError(describe() + ": cannot " + what + " '" + n + "': no such column (columns: " + listed() +
                           ")");
    };
    check(spec_.read.categorical, "declare categorical");
    check(spec_.read.numeric, "declare numeric");
    check(spec_.read.columns, "read column");
    for (const auto& n : spec_.read.required)
      if (!seen.count(n)) throw DataError(describe() + ": no column named '" + n + "' (columns: " + listed() + ")");
    auto has = [](const std::vector<std::string>& list, const std::string& n) {
      return std::find(list.begin(), list.end(), n) != list.end();
    };
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const auto& c = columns[i];
      if (!spec_.read.columns.empty() && !has(spec_.read.columns, c.name)) continue;
      Plan p{i, c, has(spec_.read.numeric, c.name), has(spec_.read.categorical, c.name)};
      if (c.kind == Kind::unreadable && !p.declared_categorical)
        throw DataError(describe() + ": column " + c.name + " has type " + c.type +
                        ", which shipml cannot read; cast it in --query (or read its text with --categorical " +
                        c.name + ")");
      plans_.push_back(std::move(p));
    }
  }

  std::vector<ColumnBuilder> start(bool blocks) {
    first_infinite_.assign(plans_.size(), std::nullopt);
    std::vector<ColumnBuilder> out;
    for (const auto& p : plans_) {
      Mode mode = Mode::categorical;
      if (p.declared_numeric) mode = Mode::numeric;
      else if (p.declared_categorical) mode = Mode::categorical;
      else if (p.column.kind == Kind::number || p.column.kind == Kind::boolean) mode = Mode::numeric;
      // A column with no SQL type is inferred when read whole; blocks need a
      // type fixed up front, so read it as text (as a CSV block does).
      else if (p.column.kind == Kind::untyped) mode = blocks ? Mode::categorical : Mode::inferred;
      out.emplace_back(p.column.name, mode);
    }
    return out;
  }

  std::size_t fetch(std::vector<ColumnBuilder>& builders, std::size_t rows) {
    // The result's column -> its builder (or none, when not read).
    std::vector<int> slot(rows_->columns().size(), -1);
    for (std::size_t b = 0; b < plans_.size(); ++b) slot[plans_[b].index] = static_cast<int>(b);
    const std::size_t column_count = rows_->columns().size();
    std::size_t cells = 0;
    const std::size_t n = rows_->fetch(rows, [&](std::size_t c, const Cell& cell) {
      const std::size_t row = read_ + cells++ / column_count;  // from 0, in the whole source
      if (slot[c] < 0) return;
      const auto b = static_cast<std::size_t>(slot[c]);
      put(plans_[b], builders[b], first_infinite_[b], cell, row);
    });
    read_ += n;
    return n;
  }

  Frame finish(std::vector<ColumnBuilder>& builders) {
    std::vector<Column> columns;
    for (std::size_t b = 0; b < builders.size(); ++b) {
      if (builders[b].mode() == Mode::inferred && !builders[b].has_text() && first_infinite_[b])
        throw infinite(builders[b].name(), *first_infinite_[b]);
      columns.push_back(builders[b].finish());
    }
    return Frame(std::move(columns));
  }

  DataError infinite(const std::string& column, std::size_t row) const {
    return DataError(describe() + ": column '" + column + "', row " + std::to_string(row + 1) +
                     ": an infinite number; shipml reads finite numbers only (filter or cast it in --query)");
  }

  void put(const Plan& p, ColumnBuilder& b, std::optional<std::size_t>& first_infinite, const Cell& cell,
           std::size_t row) {
    if (cell.is == Cell::Is::null) return b.add_missing();
    if (cell.is == Cell::Is::blob && !p.declared_categorical)
      throw DataError(describe() + ": column '" + p.column.name + "', row " + std::to_string(row + 1) +
                      " holds binary data (a BLOB), which shipml cannot read; cast it in --query");
    switch (b.mode()) {
      case Mode::categorical: {
        const bool time = p.column.kind == Kind::date || p.column.kind == Kind::timestamp;
        return b.add_text(time ? iso_time(cell.text, scratch_) : cell.text);
      }
      case Mode::numeric: {
        std::optional<double> value;
        if (cell.is == Cell::Is::number) value = cell.number;
        else if (p.column.kind == Kind::boolean) value = boolean_value(cell.text);
        if (!value) value = parse_number(cell.text);
        if (!value)
          throw DataError(describe() + ": column '" + p.column.name + "', row " + std::to_string(row + 1) + " holds '" +
                          std::string(cell.text.substr(0, 40)) + "', which is not a number (" +
                          (p.declared_numeric ? "it is declared numeric" : "its type is " + p.column.type) +
                          "; read it as categorical, or cast it in --query)");
        if (std::isnan(*value)) return b.add_missing();  // NaN: missing, as in every shipml column
        if (std::isinf(*value)) throw infinite(p.column.name, row);
        return b.add_number(*value, cell.text);
      }
      case Mode::inferred: {
        std::optional<double> value;
        if (cell.is == Cell::Is::number) value = cell.number;
        else value = parse_number(cell.text);
        if (!value) return b.add_text(cell.text);
        if (std::isnan(*value)) return b.add_missing();
        if (std::isinf(*value) && !first_infinite) first_infinite = row;
        return b.add_number(*value, cell.text);
      }
    }
  }

  SourceSpec spec_;
  sql::DatabaseUri uri_;
  std::string query_;
  std::unique_ptr<sql::RowReader> rows_;
  std::vector<Plan> plans_;
  std::size_t read_ = 0;
  bool done_ = false;
  std::string scratch_;
  // Inferred columns: the first infinite number's row, refused if the column stays numeric.
  std::vector<std::optional<std::size_t>> first_infinite_;
};

}  // namespace

std::unique_ptr<DataSource> open_sql_source(const SourceSpec& spec) { return std::make_unique<SqlSource>(spec); }

}  // namespace shipml::sources
