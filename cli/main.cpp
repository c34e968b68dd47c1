// xgrad: the command-line tool. Exit status 0 on success, 2 on a usage error,
// 1 on a runtime error, always with one line on stderr that says what was wrong.
#include <cstdio>
#include <iostream>

#include "command.hpp"
#include "numbers.hpp"

namespace {

/// Messages are one line: a library message that spans lines is joined.
std::string one_line(std::string message) {
  for (char& c : message)
    if (c == '\n' || c == '\r') c = ' ';
  while (!message.empty() && message.back() == ' ') message.pop_back();
  return message;
}

int fail(const std::string& who, const std::string& message, int status) {
  std::cout.flush();
  std::cerr << who << ": " << one_line(message) << "\n";
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace xgrad::cli;
  CLI::App app{"xgrad: look at activation functions, run the seed simulation, train and use classifiers on CSV files, see inside training, export models"};
  app.name("xgrad");
  app.require_subcommand(1);
  app.footer("Run 'xgrad COMMAND --help' for a command's options. Exit status: 0 success, 2 usage error, 1 runtime error.");
  app.set_version_flag("--version", "xgrad " XGRAD_VERSION);
  const std::vector<Command> commands{add_eval_command(app), add_plot_command(app), add_simulate_command(app),
                                      add_train_command(app), add_predict_command(app),
                                      add_graph_command(app), add_export_command(app),
                                      add_plot_boundary_command(app)};

  // Name the command in messages ("xgrad train: ...") even when parsing fails.
  std::string who = "xgrad", command_names;
  for (const auto& command : commands) command_names += (command_names.empty() ? "" : ", ") + command.app->get_name();
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.empty() || arg[0] == '-') continue;
    bool known = false;
    for (const auto& command : commands) known = known || command.app->get_name() == arg;
    if (!known) return fail(who, "unknown command '" + arg + "' (commands: " + command_names + "; see xgrad --help)", 2);
    who += " " + arg;
    break;
  }

  const std::vector<std::string> args = protect_negative_numbers(argc, argv);
  std::vector<const char*> arg_pointers;
  for (const auto& arg : args) arg_pointers.push_back(arg.c_str());
  try {
    app.parse(static_cast<int>(arg_pointers.size()), arg_pointers.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (who == "xgrad" && dynamic_cast<const CLI::RequiredError*>(&e))
      return fail(who, "a command is required (" + command_names + "; see xgrad --help)", 2);
    return fail(who, std::string(e.what()) + " (see " + who + " --help)", 2);
  } catch (const UsageError& e) {
    return fail(who, e.what(), 2);
  }

  try {
    for (const auto& command : commands)
      if (command.app->parsed()) command.run();
    std::cout.flush();
    if (!std::cout) return fail(who, "cannot write to standard output", 1);
  } catch (const UsageError& e) {
    return fail(who, e.what(), 2);
  } catch (const std::exception& e) {
    return fail(who, e.what(), 1);
  } catch (...) {
    return fail(who, "unexpected error", 1);
  }
  return 0;
}
