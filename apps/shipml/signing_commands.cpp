// `shipml sign` and `shipml verify`: Ed25519 signatures on model files, so a
// server started with --require-signature serves only what a trusted key signed.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "shipml/io/file.hpp"
#include "shipml/model/model.hpp"
#include "shipml/model/model_file.hpp"
#include "shipml/model/signature.hpp"

namespace shipml::cli {

void add_signing(CLI::App& app) {
  auto* sign = app.add_subcommand("sign", "Sign model files with an Ed25519 private key (in place, atomically)");
  auto key = std::make_shared<std::string>();
  auto models = std::make_shared<std::vector<std::string>>();
  sign->add_option("--key,-k", *key, "private key, PEM (openssl genpkey -algorithm ed25519 -out KEY)")
      ->required()
      ->check(CLI::ExistingFile);
  sign->add_option("models", *models, "model files to sign (an earlier signature is replaced)")
      ->required()
      ->check(CLI::ExistingFile);
  sign->callback([=] {
    for (const auto& path : *models) {
      const std::string bytes = read_file(path);
      (void)decode_model(bytes, path);  // only a model file that loads is signed
      write_file_atomic(path, sign_model_bytes(bytes, *key));
      std::cout << "signed " << path << " with key " << key_fingerprint(*key) << '\n';
    }
  });

  auto* verify = app.add_subcommand("verify", "Check that model files carry a valid signature by a trusted key");
  auto trusted = std::make_shared<std::vector<std::string>>();
  auto checked = std::make_shared<std::vector<std::string>>();
  verify->add_option("--trusted-key,-k", *trusted, "public (or private) key, PEM; repeatable")
      ->required()
      ->check(CLI::ExistingFile);
  verify->add_option("models", *checked, "model files")->required()->check(CLI::ExistingFile);
  verify->callback([=] {
    for (const auto& path : *checked) {
      const std::string bytes = read_file(path);
      const std::string signer = verify_model_signature(bytes, *trusted, path);
      (void)decode_model(bytes, path);
      std::cout << path << ": signed by key " << signer << '\n';
    }
  });
}

}  // namespace shipml::cli
