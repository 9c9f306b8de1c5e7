#pragma once
// A model file taken apart into its header JSON and body, to edit as a
// structure and put back together with a correct checksum: what someone
// editing a file by hand can do, which every loader must withstand.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "shipml/core/binary.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/hash.hpp"
#include "shipml/model/model.hpp"
#include "shipml/model/model_file.hpp"

namespace shipml::test {

struct Parts {
  std::uint32_t version = 0;
  nlohmann::json header;
  std::string body;
};

inline constexpr std::string_view kMagic("\x89SHIPML\n", 8);

inline Parts take_apart(const std::string& bytes) {
  BinaryReader frame(std::string_view(bytes).substr(kMagic.size(), bytes.size() - kMagic.size() - 8));
  Parts p;
  p.version = frame.u32();
  p.header = nlohmann::json::parse(frame.text());
  p.body = frame.text();
  return p;
}

inline std::string put_together(const Parts& p) {
  BinaryWriter frame;
  frame.u32(p.version);
  frame.text(p.header.dump());
  frame.text(p.body);
  std::string out(kMagic);
  out += frame.data();
  const std::uint64_t sum = Hasher().bytes(out.data(), out.size()).digest();
  out.append(reinterpret_cast<const char*>(&sum), sizeof sum);
  return out;
}

// The message a load of `bytes` fails with ("no error" when it loads).
inline std::string load_error(const std::string& bytes) {
  try {
    decode_model(bytes, "model.shipml");
  } catch (const ModelError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace shipml::test
