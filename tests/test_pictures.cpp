// The history picture's hook for the training half: a changing learning rate
// gets its own panel, and the epoch early stopping restored is marked.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "pictures.hpp"

using namespace xgrad;

namespace {
std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("plot_history: the learning-rate panel and the early-stopping mark, from HistoryExtras") {
  History history;
  for (int e = 0; e < 4; ++e) {
    EpochStats s;
    s.loss = 1.0 / (e + 1);
    s.accuracy = 0.5 + 0.1 * e;
    s.val_loss = 1.2 / (e + 1);
    s.val_accuracy = 0.4 + 0.1 * e;
    history.epochs.push_back(s);
  }
  const std::string path = "/tmp/xgrad-test-history-" + std::to_string(::getpid()) + ".svg";
  SUBCASE("with extras") {
    cli::HistoryExtras extras;
    extras.learning_rate = {0.1, 0.1, 0.05, 0.025};
    extras.restored_epoch = 3;
    cli::plot_history(path, history, extras);
    const std::string svg = read(path);
    CHECK(contains(svg, "<title>learning rate</title>"));
    CHECK(contains(svg, "Learning rate per epoch"));
    CHECK(contains(svg, "weights restored (epoch 3)"));
    CHECK(contains(svg, "<title>validation loss</title>"));
  }
  SUBCASE("a constant learning rate and no restore draw neither") {
    cli::HistoryExtras extras;
    extras.learning_rate = {0.1, 0.1, 0.1, 0.1};
    cli::plot_history(path, history, extras);
    const std::string svg = read(path);
    CHECK_FALSE(contains(svg, "<title>learning rate</title>"));
    CHECK_FALSE(contains(svg, "weights restored"));
    CHECK(contains(svg, "<title>training accuracy</title>"));
  }
  std::remove(path.c_str());
}
