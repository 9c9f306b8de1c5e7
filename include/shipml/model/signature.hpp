#pragma once
/// \file
/// Signed model files. A model file's checksum finds accidents, not edits:
/// anyone can change a file and compute the checksum again. A signature says
/// who made the file: an Ed25519 signature over every byte of the model file,
/// appended as a block of 104 bytes (see docs/model-format.md, "Signature
/// block"). Keys are PEM files as OpenSSL writes them:
///
///     openssl genpkey -algorithm ed25519 -out signing.pem        # keep secret
///     openssl pkey -in signing.pem -pubout -out trusted.pem       # give to servers
///
/// A server that requires signatures holds only public keys: it can check a
/// file, never forge one.
#include <string>
#include <string_view>
#include <vector>

#include "shipml/core/export.hpp"

namespace shipml {

/// The model file's bytes with `private_key_pem`'s signature appended (an
/// earlier signature is replaced). A UsageError when the key cannot be used.
SHIPML_API std::string sign_model_bytes(std::string_view model_file, const std::string& private_key_pem);

/// The bytes of the model file itself: without its signature block, if it has one.
SHIPML_API std::string_view unsigned_part(std::string_view file);

/// Checks that `file` (named `name` in errors) carries a valid signature by one
/// of `trusted_keys` (paths of public, or private, Ed25519 PEM files); returns
/// that key's fingerprint. A ModelError saying which check failed otherwise:
/// not signed, signed by a key not trusted, or changed after signing.
SHIPML_API std::string verify_model_signature(std::string_view file, const std::vector<std::string>& trusted_keys,
                                              const std::string& name);

/// The fingerprint of a key file's public key: the first 16 hex digits of the
/// SHA-256 of its 32 raw bytes, as `shipml verify` and errors show it.
SHIPML_API std::string key_fingerprint(const std::string& key_pem);

}  // namespace shipml
