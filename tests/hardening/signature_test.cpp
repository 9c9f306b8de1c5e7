// Signed model files: a checksum anyone can recompute says nothing about who
// made a file; an Ed25519 signature does. Keys are made with openssl, as the
// docs tell users to.
#include <gtest/gtest.h>

#include <cstdlib>

#include "shipml/model/model_file.hpp"
#include "shipml/model/signature.hpp"
#include "support.hpp"

namespace shipml {
namespace {

using test::run_cli;
using test::TempDir;

class Signatures : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"signer", "stranger"}) {
      const std::string key = dir_.file(std::string(name) + ".pem"), pub = dir_.file(std::string(name) + ".pub");
      ASSERT_EQ(std::system(("openssl genpkey -algorithm ed25519 -out " + key + " 2>/dev/null && openssl pkey -in " +
                             key + " -pubout -out " + pub + " 2>/dev/null")
                                .c_str()),
                0);
    }
    model_ = dir_.file("iris.shipml");
    ASSERT_EQ(run_cli("train --data " + test::data_path("iris.csv") + " -t species -e logistic -o " + model_,
                      "SHIPML_TRACKING=off")
                  .exit_code,
              0);
  }
  std::string key(const std::string& name) const { return dir_.file(name); }
  std::string message_of(const std::string& bytes, const std::vector<std::string>& trusted) const {
    try {
      verify_model_signature(bytes, trusted, "m.shipml");
    } catch (const ModelError& e) {
      return e.what();
    }
    return "";
  }
  TempDir dir_;
  std::string model_;
};

TEST_F(Signatures, ASignedFileVerifiesLoadsAndPredictsAsBefore) {
  const std::string before = read_file(model_);
  const auto signed_ = run_cli("sign --key " + key("signer.pem") + " " + model_);
  ASSERT_EQ(signed_.exit_code, 0) << signed_.err;
  const std::string after = read_file(model_);
  EXPECT_EQ(after.size(), before.size() + 104);
  EXPECT_EQ(after.substr(0, before.size()), before);  // the model's bytes are untouched
  const auto verified = run_cli("verify --trusted-key " + key("signer.pub") + " " + model_);
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_NE(verified.out.find("signed by key " + key_fingerprint(key("signer.pub"))), std::string::npos);
  const Frame rows = read_csv(test::data_path("iris.csv"));
  EXPECT_EQ(Model::load(model_).predict_proba(rows), decode_model(before, "before").predict_proba(rows));
  // A reader written from the spec alone reads a signed file too (section 2.4: it drops the block).
  EXPECT_EQ(std::system(("/usr/bin/python3 " + test::source_path("tests/model_format/read_model_file.py") + " " +
                         model_ + " " + test::data_path("iris.csv") + " > " + dir_.file("independent.csv"))
                            .c_str()),
            0);
  // Signing again replaces the signature rather than stacking them.
  ASSERT_EQ(run_cli("sign --key " + key("stranger.pem") + " " + model_).exit_code, 0);
  EXPECT_EQ(read_file(model_).size(), before.size() + 104);
}

TEST_F(Signatures, UnsignedForeignAndEditedFilesAreRefused) {
  const std::string plain = read_file(model_);
  EXPECT_NE(message_of(plain, {key("signer.pub")}).find("m.shipml: not signed"), std::string::npos);
  const std::string by_stranger = sign_model_bytes(plain, key("stranger.pem"));
  EXPECT_NE(
      message_of(by_stranger, {key("signer.pub")})
          .find("signed by key " + key_fingerprint(key("stranger.pub")) + ", which is not among the trusted keys"),
      std::string::npos);
  EXPECT_EQ(message_of(by_stranger, {key("signer.pub"), key("stranger.pub")}), "");
  // An edit after signing, even one that keeps the file loadable, breaks the signature.
  std::string edited = sign_model_bytes(plain, key("signer.pem"));
  const auto at = edited.find("logistic");
  ASSERT_NE(at, std::string::npos);
  edited[at] = 'L';
  EXPECT_NE(message_of(edited, {key("signer.pub")}).find("the signature does not match the file"), std::string::npos);
  // A private key serves as a trusted key too (its public half is used).
  EXPECT_EQ(message_of(sign_model_bytes(plain, key("signer.pem")), {key("signer.pem")}), "");
  EXPECT_THROW(sign_model_bytes(plain, key("signer.pub")), UsageError);  // signing needs the private key
}

TEST_F(Signatures, TheServerServesOnlyWhatATrustedKeySigned) {
  const std::string serve = "serve --check --require-signature --trusted-key " + key("signer.pub") + " " + model_;
  const auto unsigned_ = run_cli(serve);
  EXPECT_EQ(unsigned_.exit_code, 1);
  EXPECT_NE(unsigned_.err.find("not signed, and signatures are required"), std::string::npos) << unsigned_.err;
  ASSERT_EQ(run_cli("sign --key " + key("signer.pem") + " " + model_).exit_code, 0);
  const auto served = run_cli(serve);
  EXPECT_EQ(served.exit_code, 0) << served.err;
  EXPECT_NE(served.err.find("model iris:1 = logistic"), std::string::npos) << served.err;
  const auto without_keys = run_cli("serve --check --require-signature " + model_);
  EXPECT_EQ(without_keys.exit_code, 2);
  EXPECT_NE(without_keys.err.find("--require-signature needs at least one --trusted-key"), std::string::npos);
}

}  // namespace
}  // namespace shipml
