#pragma once
// What every command of the xgrad tool shares: how it registers itself and
// how it reports failure. main.cpp turns exceptions into exit codes:
// UsageError and CLI11's parse errors exit 2, any other exception exits 1.
#include <functional>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

namespace xgrad::cli {

/// The command line asks for something impossible (exit status 2).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A registered subcommand and what runs when it is chosen.
struct Command {
  CLI::App* app = nullptr;
  std::function<void()> run;
};

Command add_eval_command(CLI::App& parent);
Command add_plot_command(CLI::App& parent);
Command add_simulate_command(CLI::App& parent);
Command add_train_command(CLI::App& parent);
Command add_predict_command(CLI::App& parent);
Command add_graph_command(CLI::App& parent);
Command add_export_command(CLI::App& parent);
Command add_plot_boundary_command(CLI::App& parent);

}  // namespace xgrad::cli
