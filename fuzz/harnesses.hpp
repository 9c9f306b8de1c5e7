#pragma once
// Fuzz harnesses: each feeds arbitrary bytes to a parser. A shipml::Error is the
// expected answer to bad input; anything else escaping, or a crash, is a bug.
#include <cstddef>
#include <cstdint>

namespace shipml::fuzz {

int model_file(const std::uint8_t* data, std::size_t size);
/// A model file edited as a structure: the first 8 bytes seed the edits (header
/// fields, counts and indices in the body), the rest is a valid model file,
/// which is re-signed after the edits and then loaded and predicted with. A
/// model file given as it is seeds its edits with its own hash.
int model_structure(const std::uint8_t* data, std::size_t size);
int csv(const std::uint8_t* data, std::size_t size);
/// HTTP requests through the server's parser, routing and protocol decoders.
int http(const std::uint8_t* data, std::size_t size);

}  // namespace shipml::fuzz
