// A CSV file (plain, gzip or zstd) as a source: read whole with the parallel
// parse, or block by block. Blocks are cut at row ends as the bytes arrive,
// counting lines so a block's errors name the file's line; decoding a block
// needs nothing from the source but what its closure holds.
#include "io/csv_source.hpp"

#include <filesystem>
#include <memory>

#include "io/csv_row_ends.hpp"
#include "io/csv_rows.hpp"
#include "io/csv_tokenizer.hpp"
#include "shipml/core/error.hpp"
#include "shipml/io/byte_stream.hpp"

namespace shipml::csv {
namespace {

// What every block of a file decodes with: the header's columns, each with a
// fixed type.
struct BlockPlan {
  std::string source;
  CsvOptions options;
  Layout layout;
  MissingTokens missing;
};

Frame decode(const BlockPlan& plan, const std::string& text, std::size_t first_line) {
  check_encoding(text, plan.source, first_line, false);
  RowReader rows(text, plan.layout, plan.options, plan.missing, plan.source);
  rows.read(0, first_line);
  return finish(rows.columns);
}

class CsvFileSource : public DataSource {
 public:
  explicit CsvFileSource(SourceSpec spec)
      : spec_(std::move(spec)), compression_(detect_compression(spec_.location)), ends_(spec_.read.delimiter) {}

  Frame read_all() override { return parse_csv(read_text(spec_.location), spec_.read, spec_.location); }

  std::optional<SourceBlock> next_block(std::size_t bytes) override {
    if (!plan_) read_header();
    for (;;) {
      const std::size_t cut = next_cut(std::max<std::size_t>(bytes, 1));
      if (cut == 0) return std::nullopt;
      const std::size_t first_row = rows_ - header_rows_, first_line = line_;
      const bool blank = pending_.find_first_not_of("\r\n") >= cut;  // blank lines hold no rows
      auto text = std::make_shared<const std::string>(take(cut));
      if (blank) continue;
      return SourceBlock{first_row, [plan = plan_, text, first_line] { return decode(*plan, *text, first_line); },
                         text->size()};
    }
  }

  // Progress counts the bytes blocks hold: a compressed file's are more than its size.
  std::size_t size() const override {
    std::error_code error;
    const auto size = std::filesystem::file_size(spec_.location, error);
    return compression_ == Compression::none && !error ? static_cast<std::size_t>(size) : 0;
  }
  std::string describe() const override { return spec_.location; }
  nlohmann::json record() const override {
    return {{"kind", "csv"}, {"location", spec_.location}, {"compression", to_string(compression_)}};
  }

 private:
  // Reads until `pending_` holds at least `size` bytes, or the file ends.
  void fill(std::size_t size) {
    if (!reader_) reader_ = open_byte_reader(spec_.location);
    while (!eof_ && pending_.size() < size) {
      const std::size_t had = pending_.size();
      pending_.resize(std::max(size, had + (1 << 16)));
      const std::size_t got = reader_->read(pending_.data() + had, pending_.size() - had);
      pending_.resize(had + got);
      eof_ = got == 0;
    }
  }

  // Where the next block ends: after the last row that ends within `bytes`,
  // or after the first that ends beyond it (a long row makes a long block),
  // or at the end of the file.
  std::size_t next_cut(std::size_t bytes) {
    fill(bytes);
    const std::size_t upto = std::min(bytes, pending_.size());
    if (scanned_ < upto) ends_.scan(pending_, scanned_, upto, false);
    scanned_ = std::max(scanned_, upto);
    while (ends_.cut() == 0) {
      if (scanned_ < pending_.size()) ends_.scan(pending_, scanned_, pending_.size(), true);
      if (ends_.cut() != 0) break;
      scanned_ = pending_.size();
      if (eof_) return pending_.size();
      fill(pending_.size() + std::max<std::size_t>(bytes, 1 << 16));
    }
    return ends_.cut();
  }

  // Hands out the first `cut` bytes; line and row counts move past them.
  std::string take(std::size_t cut) {
    std::string block;
    if (cut == pending_.size() && ends_.cut() != cut) {  // the file's end, without a final line break
      block.swap(pending_);
      scanned_ = 0;
      return block;
    }
    block.assign(pending_, 0, cut);
    pending_.erase(0, cut);
    line_ = ends_.cut_line();
    rows_ = ends_.cut_rows();
    ends_.restart_at_cut();
    scanned_ = 0;
    return block;
  }

  // The header row, read once: the first row with content.
  void read_header() {
    std::string header;
    std::vector<Cell> cells;
    for (;;) {  // blank lines before it are skipped, as the tokenizer skips them
      const std::size_t cut = next_cut(1);
      if (cut == 0) break;
      header += take(cut);
      Tokenizer probe(header, spec_.read.delimiter, spec_.location);
      if (probe.next(cells)) break;
    }
    check_encoding(header, spec_.location);
    Tokenizer from_start(header, spec_.read.delimiter, spec_.location);
    auto plan = std::make_shared<BlockPlan>(BlockPlan{spec_.location, spec_.read,
                                                      read_layout(from_start, spec_.read, spec_.location),
                                                      MissingTokens(spec_.read.missing_values)});
    // Blocks need fixed types: declared numeric, or text as written.
    for (auto& column : plan->layout.columns)
      if (column.declared != Declared::numeric) {
        column.declared = Declared::categorical;
        column.text = true;
      }
    header_rows_ = rows_;
    plan_ = std::move(plan);
  }

  SourceSpec spec_;
  Compression compression_;
  std::unique_ptr<ByteReader> reader_;
  std::shared_ptr<const BlockPlan> plan_;
  std::string pending_;      // read, not yet handed out
  std::size_t scanned_ = 0;  // pending_[0, scanned_) followed by ends_
  RowEnds ends_;             // from pending_[0]
  std::size_t line_ = 1;     // the line pending_[0] is on
  std::size_t rows_ = 0;     // rows with content before pending_[0]
  std::size_t header_rows_ = 0;
  bool eof_ = false;
};

}  // namespace

std::unique_ptr<DataSource> open_csv_source(const SourceSpec& spec) { return std::make_unique<CsvFileSource>(spec); }

}  // namespace shipml::csv
