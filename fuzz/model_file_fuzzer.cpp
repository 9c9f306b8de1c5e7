// Loads arbitrary bytes as a model file; when they load, predicts with the model
// on rows shaped by its own schema, so crafted fitted state is exercised too.
#include <cmath>
#include <cstring>
#include <string_view>

#include "harnesses.hpp"
#include "shipml/core/hash.hpp"
#include "shipml/shipml.hpp"

namespace shipml::fuzz {

namespace {

void load_and_predict(std::string_view bytes) {
  try {
    const Model m = decode_model(bytes, "fuzz.shipml");
    Frame rows;
    for (const auto& f : m.schema().fields()) {
      if (f.type == ColumnType::numeric) rows.add(Column::numeric(f.name, {0.0, NAN, 1e300}));
      else
        rows.add(Column::from_strings(f.name, {f.categories->empty() ? "x" : f.categories->front(), "unseen", ""},
                                      {false, false, true}));
    }
    m.predict(rows);
  } catch (const Error&) {
  }
}

}  // namespace

int model_file(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  load_and_predict(bytes);
  // Again with the checksum repaired, so mutations reach the header and body parsers.
  if (bytes.size() >= 8) {
    const std::uint64_t sum = Hasher().bytes(bytes.data(), bytes.size() - 8).digest();
    std::memcpy(bytes.data() + bytes.size() - 8, &sum, 8);
    load_and_predict(bytes);
  }
  return 0;
}

}  // namespace shipml::fuzz
