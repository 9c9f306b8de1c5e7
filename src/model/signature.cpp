#include "shipml/model/signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <array>
#include <cstdio>
#include <memory>

#include "shipml/core/error.hpp"
#include "shipml/io/file.hpp"

namespace shipml {
namespace {

// The block after a signed file's model bytes: magic, the signer's key id (the
// SHA-256 of its raw public key), and the Ed25519 signature of the model bytes.
constexpr std::string_view kMagic("\x89SHIPSIG", 8);
constexpr std::size_t kKeyIdSize = 32, kSignatureSize = 64;
constexpr std::size_t kBlockSize = kMagic.size() + kKeyIdSize + kSignatureSize;

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using KeyId = std::array<unsigned char, kKeyIdSize>;

// A key from a PEM file: the private key when there is one (to sign), else the public key.
Key read_key(const std::string& path, bool need_private) {
  const std::string pem = read_file(path);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  if (!key && !need_private) {
    BIO_reset(bio.get());
    key.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  }
  if (!key)
    throw UsageError(path + ": not " + (need_private ? "a private" : "an") +
                     " Ed25519 key in PEM form (make one with: openssl genpkey -algorithm ed25519 -out " + path + ")");
  if (EVP_PKEY_id(key.get()) != EVP_PKEY_ED25519) throw UsageError(path + ": the key is not an Ed25519 key");
  return key;
}

KeyId key_id(EVP_PKEY* key) {
  std::array<unsigned char, 32> raw{};
  std::size_t length = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, raw.data(), &length) != 1 || length != raw.size())
    throw UsageError("cannot read the Ed25519 public key");
  KeyId id{};
  SHA256(raw.data(), raw.size(), id.data());
  return id;
}

std::string hex(const unsigned char* bytes, std::size_t n) {
  std::string out;
  char digits[3];
  for (std::size_t i = 0; i < n; ++i) std::snprintf(digits, sizeof digits, "%02x", bytes[i]), out += digits;
  return out;
}

bool has_block(std::string_view file) {
  return file.size() > kBlockSize && file.substr(file.size() - kBlockSize, kMagic.size()) == kMagic;
}

}  // namespace

std::string_view unsigned_part(std::string_view file) {
  return has_block(file) ? file.substr(0, file.size() - kBlockSize) : file;
}

std::string sign_model_bytes(std::string_view model_file, const std::string& private_key_pem) {
  const Key key = read_key(private_key_pem, true);
  const std::string_view body = unsigned_part(model_file);
  std::array<unsigned char, kSignatureSize> signature{};
  std::size_t length = signature.size();
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), signature.data(), &length, reinterpret_cast<const unsigned char*>(body.data()),
                     body.size()) != 1 ||
      length != signature.size())
    throw UsageError(private_key_pem + ": signing failed");
  const KeyId id = key_id(key.get());
  std::string out(body);
  out += kMagic;
  out.append(reinterpret_cast<const char*>(id.data()), id.size());
  out.append(reinterpret_cast<const char*>(signature.data()), signature.size());
  return out;
}

std::string verify_model_signature(std::string_view file, const std::vector<std::string>& trusted_keys,
                                   const std::string& name) {
  if (!has_block(file))
    throw ModelError(name + ": not signed, and signatures are required (sign it with: shipml sign --key KEY " + name +
                     ")");
  const std::string_view body = unsigned_part(file);
  const auto* block = reinterpret_cast<const unsigned char*>(file.data() + body.size() + kMagic.size());
  for (const auto& path : trusted_keys) {
    const Key key = read_key(path, false);
    const KeyId id = key_id(key.get());
    if (CRYPTO_memcmp(id.data(), block, id.size()) != 0) continue;
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    const bool valid = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
                       EVP_DigestVerify(ctx.get(), block + kKeyIdSize, kSignatureSize,
                                        reinterpret_cast<const unsigned char*>(body.data()), body.size()) == 1;
    if (!valid)
      throw ModelError(name + ": the signature does not match the file (it changed after it was signed by key " +
                       hex(id.data(), 8) + ")");
    return hex(id.data(), 8);
  }
  throw ModelError(name + ": signed by key " + hex(block, 8) + ", which is not among the trusted keys");
}

std::string key_fingerprint(const std::string& key_pem) {
  const Key key = read_key(key_pem, false);
  const KeyId id = key_id(key.get());
  return hex(id.data(), 8);
}

}  // namespace shipml
