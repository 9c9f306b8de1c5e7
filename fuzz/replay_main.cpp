// Runs a fuzz harness without libFuzzer, as a regression test in every build:
// every file of a seed corpus, then a fixed number of seeded mutations of them
// (truncations, byte flips, insertions, splices). For model files, an eighth as
// many again are edited as structures and re-signed (model_structure): each
// loads and predicts with a whole model, so they cost more. Any escape other
// than a shipml::Error fails the run.
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "harnesses.hpp"
#include "shipml/core/random.hpp"
#include "shipml/io/file.hpp"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: fuzz_replay model_file|model_structure|csv|http CORPUS_DIR... MUTATIONS\n";
    return 2;
  }
  const std::string target = argv[1];
  auto* harness = target == "model_file"        ? shipml::fuzz::model_file
                  : target == "model_structure" ? shipml::fuzz::model_structure
                  : target == "http"            ? shipml::fuzz::http
                                                : shipml::fuzz::csv;
  std::vector<std::string> seeds;
  for (int d = 2; d + 1 < argc; ++d)
    for (const auto& e : std::filesystem::recursive_directory_iterator(argv[d]))
      if (e.is_regular_file()) seeds.push_back(shipml::read_file(e.path().string()));
  if (seeds.empty()) {
    std::cerr << "no seeds in " << argv[2] << '\n';
    return 1;
  }
  auto run = [&](const std::string& input) {
    try {
      harness(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
    } catch (const std::exception& e) {
      std::cerr << target << ": unexpected exception: " << e.what() << '\n';
      std::exit(1);
    }
  };
  for (const auto& s : seeds) run(s);
  shipml::Random rng(1234);
  const long mutations = std::stol(argv[argc - 1]);
  for (long i = 0; i < mutations; ++i) {
    std::string input = seeds[rng.below(seeds.size())];
    const auto edits = 1 + rng.below(4);
    for (std::uint64_t e = 0; e < edits && !input.empty(); ++e) {
      const auto pos = rng.below(input.size());
      switch (rng.below(5)) {
        case 0: input.resize(pos); break;
        case 1: input[pos] = static_cast<char>(input[pos] ^ (1u << rng.below(8))); break;
        case 2: input.insert(pos, 1, "\",\n\r\"0-9e.\xff\0[]{}:"[rng.below(17)]); break;
        case 3: input[pos] = static_cast<char>(rng.below(256)); break;
        case 4: {
          const std::string& other = seeds[rng.below(seeds.size())];
          input = input.substr(0, pos) + other.substr(rng.below(other.size() + 1));
          break;
        }
      }
    }
    run(input);
  }
  std::cout << target << ": " << seeds.size() << " seeds and " << mutations << " mutations, no crash\n";
  if (target == "model_file") {
    // The seeds that are model files, each behind 8 bytes that seed its edits.
    std::vector<std::string> models;
    for (const auto& s : seeds)
      if (s.starts_with("\x89SHIPML\n")) models.push_back(s);
    harness = shipml::fuzz::model_structure;
    const long structures = mutations / 8;
    for (long i = 0; i < structures && !models.empty(); ++i) {
      std::string input(8, '\0');
      const std::uint64_t seed = rng.next();
      std::memcpy(input.data(), &seed, 8);
      run(input + models[rng.below(models.size())]);
    }
    std::cout << target << ": " << models.size() << " model files edited as structures " << structures
              << " times, no crash\n";
  }
  return 0;
}
