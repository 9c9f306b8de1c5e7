// JSON lines (.jsonl, .ndjson) as a source: one flat object per line, its keys
// the columns. Numbers and booleans (0/1) are numeric, strings categorical,
// null or a missing key missing; a nested object or array is refused, naming
// the line and the key. Parsed with simdjson's parse_many, a batch of lines at
// a time. Blocks are read from the file as they are asked for (a JSON string
// holds no raw line break, so every '\n' ends a record), so a file of any size
// is read in bounded memory.
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <unordered_map>

#include "shipml/core/error.hpp"
#include "shipml/io/byte_stream.hpp"
#include "shipml/io/csv.hpp"
#include "sources/column_builder.hpp"
#include "sources/sql_source.hpp"

namespace shipml::sources {
namespace {

using Mode = ColumnBuilder::Mode;

constexpr std::size_t kLongestLine = 16 << 20;  // parse_many's batch: no line may be longer

void put(ColumnBuilder& b, simdjson::dom::element value, const std::string& where, const std::string& key) {
  using simdjson::dom::element_type;
  std::string text;
  double number = 0;
  switch (value.type()) {
    case element_type::NULL_VALUE: return b.add_missing();
    case element_type::OBJECT:
    case element_type::ARRAY:
      throw DataError(where + ": key '" + key + "' holds " +
                      (value.type() == element_type::OBJECT ? "an object" : "an array") +
                      "; shipml reads flat objects only (flatten it first)");
    case element_type::BOOL: {
      const bool truth = value.get_bool().value_unsafe();  // the type is known: no error to check
      number = truth ? 1 : 0;
      text = truth ? "true" : "false";
      break;
    }
    case element_type::INT64: {
      const std::int64_t n = value.get_int64().value_unsafe();
      number = static_cast<double>(n);
      text = std::to_string(n);
      break;
    }
    case element_type::UINT64: {
      const std::uint64_t n = value.get_uint64().value_unsafe();
      number = static_cast<double>(n);
      text = std::to_string(n);
      break;
    }
    case element_type::DOUBLE:
      number = value.get_double().value_unsafe();
      text = format_number(number);
      break;
    case element_type::STRING: {
      const std::string_view s = value.get_string().value_unsafe();
      if (b.mode() != Mode::numeric) return b.add_text(s);
      const auto parsed = parse_number(s);
      if (!parsed || std::isinf(*parsed))
        throw DataError(where + ": key '" + key + "' is declared numeric, but '" + std::string(s.substr(0, 40)) +
                        "' is not a finite number");
      if (std::isnan(*parsed)) return b.add_missing();
      return b.add_number(*parsed, s);
    }
    default: throw DataError(where + ": key '" + key + "' holds a value shipml cannot read");
  }
  b.add_number(number, text);
}

// The rows in whole lines: one per line with anything but JSON's whitespace.
std::size_t rows_in(std::string_view lines) {
  std::size_t rows = 0;
  bool content = false;
  for (const char c : lines) {
    if (c == '\n') {
      rows += content;
      content = false;
    } else {
      content = content || (c != ' ' && c != '\t' && c != '\r');
    }
  }
  return rows + content;
}

// What lines are read with: the file (for errors), declared types, and for
// blocks after the first, the first block's columns.
struct LinesPlan {
  std::string location;
  std::unordered_map<std::string, Mode> declared;
  std::optional<std::vector<std::string>> columns;  // only these keys, in this order
};

// The rows of whole lines (the first on `first_line`). `blocks`: a column
// not declared is categorical (every block must type it alike).
Frame parse_lines(std::string_view text, std::size_t first_line, const LinesPlan& plan, bool blocks,
                  simdjson::dom::parser& parser) {
  std::vector<ColumnBuilder> builders;
  std::unordered_map<std::string, std::size_t> slot;
  auto add_column = [&](const std::string& key, std::size_t rows_before) {
    auto it = plan.declared.find(key);
    const Mode mode = it != plan.declared.end() ? it->second : blocks ? Mode::categorical : Mode::inferred;
    builders.emplace_back(key, mode);
    for (std::size_t i = 0; i < rows_before; ++i) builders.back().add_missing();
    slot[key] = builders.size() - 1;
  };
  const bool fixed = plan.columns.has_value();
  if (fixed)
    for (const auto& key : *plan.columns) add_column(key, 0);

  simdjson::padded_string padded(text);
  simdjson::dom::document_stream docs;
  // The parser's memory grows with the batch: no larger than the text (a block).
  const std::size_t batch = std::min(text.size(), kLongestLine);
  if (auto error = parser.parse_many(padded, batch).get(docs))
    throw DataError(plan.location + ":" + std::to_string(first_line) + ": " + simdjson::error_message(error));
  std::size_t rows = 0, line = first_line, counted_to = 0;
  for (auto it = docs.begin(); it != docs.end(); ++it) {
    const std::size_t at = it.current_index();
    const auto breaks = static_cast<std::size_t>(std::count(text.begin() + counted_to, text.begin() + at, '\n'));
    line += breaks;
    counted_to = at;
    const std::string where = plan.location + ":" + std::to_string(line);
    if (rows > 0 && breaks == 0) throw DataError(where + ": a second JSON value on the line (one object per line)");
    simdjson::dom::element doc;
    if (auto error = (*it).get(doc)) throw DataError(where + ": invalid JSON: " + simdjson::error_message(error));
    simdjson::dom::object object;
    if (doc.get_object().get(object)) throw DataError(where + ": not a JSON object (one object per line)");
    for (auto [key_view, value] : object) {
      const std::string key(key_view);
      auto found = slot.find(key);
      if (found == slot.end()) {
        if (fixed) continue;
        add_column(key, rows);
        found = slot.find(key);
      }
      ColumnBuilder& b = builders[found->second];
      if (b.size() > rows) throw DataError(where + ": key '" + key + "' appears twice");
      put(b, value, where, key);
    }
    ++rows;
    for (auto& b : builders)
      if (b.size() < rows) b.add_missing();
  }
  std::vector<Column> columns;
  for (auto& b : builders) columns.push_back(b.finish());
  return Frame(std::move(columns));
}

class JsonLinesSource : public DataSource {
 public:
  explicit JsonLinesSource(SourceSpec spec) : spec_(std::move(spec)), reader_(open_byte_reader(spec_.location)) {
    plan_.location = spec_.location;
    for (const auto& n : spec_.read.categorical) plan_.declared[n] = Mode::categorical;
    for (const auto& n : spec_.read.numeric) plan_.declared[n] = Mode::numeric;
  }

  Frame read_all() override {
    simdjson::dom::parser parser;
    Frame frame = parse_lines(read_text(spec_.location), 1, plan_, false, parser);  // plain, .gz or .zst
    std::vector<std::string> names = frame.names();
    auto has = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
    for (const auto* list : {&spec_.read.categorical, &spec_.read.numeric})
      for (const auto& n : *list)
        if (!has(n)) throw UsageError(spec_.location + ": cannot declare '" + n + "': no line has that key");
    for (const auto& n : spec_.read.required)
      if (!has(n)) throw DataError(spec_.location + ": no column named '" + n + "' (no line has that key)");
    if (spec_.read.columns.empty()) return frame;
    std::vector<Column> kept;
    for (const auto& n : spec_.read.columns) {
      if (!has(n)) throw DataError(spec_.location + ": no column named '" + n + "' (no line has that key)");
    }
    for (const auto& c : frame.columns())
      if (std::find(spec_.read.columns.begin(), spec_.read.columns.end(), c.name()) != spec_.read.columns.end())
        kept.push_back(c);
    return Frame(std::move(kept));
  }

  // Whole lines of about `bytes`. Their columns are fixed by the first block
  // (or spec.read.columns): a key first seen later is not read. The first
  // block is parsed here, to learn them; the others on the decoding thread.
  std::optional<SourceBlock> next_block(std::size_t bytes) override {
    const std::size_t cut = next_cut(std::max<std::size_t>(bytes, 1));
    if (cut == 0) return std::nullopt;
    auto lines = std::make_shared<const std::string>(pending_, 0, cut);
    pending_.erase(0, cut);
    const std::size_t first_line = line_, first_row = rows_;
    line_ += static_cast<std::size_t>(std::count(lines->begin(), lines->end(), '\n'));
    if (!blocks_) {
      if (!spec_.read.columns.empty()) plan_.columns = spec_.read.columns;
      simdjson::dom::parser parser;
      auto first = std::make_shared<const Frame>(parse_lines(*lines, first_line, plan_, true, parser));
      plan_.columns = first->names();
      blocks_ = std::make_shared<const LinesPlan>(plan_);
      rows_ += first->rows();
      return SourceBlock{first_row, [first] { return *first; }, lines->size()};
    }
    // Rows are counted by line here, without parsing: a blank line holds none.
    rows_ += rows_in(*lines);
    return SourceBlock{first_row,
                       [plan = blocks_, lines, first_line] {
                         thread_local simdjson::dom::parser parser;
                         return parse_lines(*lines, first_line, *plan, true, parser);
                       },
                       lines->size()};
  }

  std::size_t size() const override {
    std::error_code error;
    const auto size = std::filesystem::file_size(spec_.location, error);
    return reader_->compression() == Compression::none && !error ? static_cast<std::size_t>(size) : 0;
  }
  std::string describe() const override { return spec_.location; }
  nlohmann::json record() const override { return {{"kind", "jsonl"}, {"location", spec_.location}}; }

 private:
  // Where the next block ends: after the first line break at or beyond
  // `bytes` (a long line makes a long block), or at the end of the file.
  std::size_t next_cut(std::size_t bytes) {
    std::size_t searched = 0;  // pending_[0, searched) holds no break at or beyond bytes - 1
    for (;;) {
      const std::size_t from = std::max(searched, bytes - 1);
      if (from < pending_.size())
        if (const void* found = std::memchr(pending_.data() + from, '\n', pending_.size() - from))
          return static_cast<std::size_t>(static_cast<const char*>(found) - pending_.data()) + 1;
      searched = std::max(searched, pending_.size());
      if (eof_) return pending_.size();
      const std::size_t had = pending_.size();
      pending_.resize(had + std::max<std::size_t>(bytes > had ? bytes - had : 0, 1 << 16));
      const std::size_t got = reader_->read(pending_.data() + had, pending_.size() - had);
      pending_.resize(had + got);
      eof_ = got == 0;
    }
  }

  SourceSpec spec_;
  std::unique_ptr<ByteReader> reader_;  // for blocks
  std::string pending_;                 // read, not yet handed out in a block
  bool eof_ = false;
  LinesPlan plan_;                           // the columns are set by the first block
  std::shared_ptr<const LinesPlan> blocks_;  // of every block after the first
  std::size_t line_ = 1, rows_ = 0;          // of pending_[0]
};

}  // namespace

std::unique_ptr<DataSource> open_json_lines_source(const SourceSpec& spec) {
  return std::make_unique<JsonLinesSource>(spec);
}

}  // namespace shipml::sources
