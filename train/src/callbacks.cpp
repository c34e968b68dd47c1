#include "xgrad/train/callbacks.hpp"

#include <cmath>
#include <stdexcept>

#include "xgrad/core/format.hpp"

namespace xgrad {

// Parameters and buffers (BatchNorm's running statistics), copied, through the module's state dict.
template <class T>
WeightSnapshot<T> snapshot_weights(const Module<T>& model) { return model.state_dict(); }

template <class T>
void restore_weights(Module<T>& model, const WeightSnapshot<T>& snapshot) { model.load_state_dict(snapshot); }

template WeightSnapshot<float> snapshot_weights(const Module<float>&);
template WeightSnapshot<double> snapshot_weights(const Module<double>&);
template void restore_weights(Module<float>&, const WeightSnapshot<float>&);
template void restore_weights(Module<double>&, const WeightSnapshot<double>&);

MonitorMode parse_monitor_mode(const std::string& mode) {
  if (mode == "auto") return MonitorMode::automatic;
  if (mode == "min") return MonitorMode::min;
  if (mode == "max") return MonitorMode::max;
  throw std::invalid_argument("unknown monitor mode '" + mode + "' (known: auto, min, max)");
}

namespace {
bool maximises(MonitorMode mode, const std::string& monitor) {
  if (mode == MonitorMode::automatic) return monitor.find("acc") != std::string::npos;
  return mode == MonitorMode::max;
}
}  // namespace

double monitored_value(const Logs& logs, const std::string& monitor, const char* who) {
  auto it = logs.find(monitor);
  if (it != logs.end()) return it->second;
  std::string keys;
  for (const auto& [k, v] : logs) keys += (keys.empty() ? "" : ", ") + k;
  throw std::invalid_argument(std::string(who) + ": the monitored value '" + monitor + "' is not in the logs (there are: " +
                              keys + ")" + (monitor.rfind("val_", 0) == 0 ? "; give fit validation data" : ""));
}

EarlyStopping::EarlyStopping(std::string monitor, double min_delta, std::size_t patience, MonitorMode mode,
                             bool restore_best_weights)
    : monitor_(std::move(monitor)), min_delta_(std::fabs(min_delta)), patience_(patience),
      maximise_(maximises(mode, monitor_)), restore_(restore_best_weights) {
  if (!std::isfinite(min_delta)) throw std::invalid_argument("EarlyStopping: min_delta must be finite, got " + number_to_string(min_delta));
}

void EarlyStopping::on_train_begin(TrainingContext&) {
  wait_ = 0;
  best_epoch_ = 0;
  best_ = maximise_ ? -INFINITY : INFINITY;
  best_weights_.reset();
  stopped_epoch_.reset();
}

void EarlyStopping::on_epoch_end(std::size_t epoch, const Logs& logs, TrainingContext& context) {
  const double current = monitored_value(logs, monitor_, "EarlyStopping");
  if (restore_ && !best_weights_.has_value()) best_weights_ = context.snapshot_weights();
  ++wait_;
  // Keras's rule: an improvement beats the best by more than min_delta.
  const bool improved = maximise_ ? current - min_delta_ > best_ : current + min_delta_ < best_;
  if (improved) {
    best_ = current;
    best_epoch_ = epoch;
    if (restore_) best_weights_ = context.snapshot_weights();
    wait_ = 0;
    return;
  }
  if (wait_ >= patience_ && epoch > 0) {
    stopped_epoch_ = epoch;
    context.stop_training = true;
    if (restore_ && best_weights_.has_value()) context.restore_weights(best_weights_);
  }
}

ModelCheckpoint::ModelCheckpoint(std::string filepath, std::string monitor, bool save_best_only, MonitorMode mode,
                                 ModelInfo info)
    : filepath_(std::move(filepath)), monitor_(std::move(monitor)), save_best_only_(save_best_only),
      maximise_(maximises(mode, monitor_)), info_(std::move(info)) {
  if (filepath_.empty()) throw std::invalid_argument("ModelCheckpoint: the file path is empty");
}

void ModelCheckpoint::on_epoch_end(std::size_t epoch, const Logs& logs, TrainingContext& context) {
  if (save_best_only_) {
    const double current = monitored_value(logs, monitor_, "ModelCheckpoint");
    if (std::isnan(current)) return;
    if (best_ && !(maximise_ ? current > *best_ : current < *best_)) return;
    best_ = current;
  }
  std::string path = filepath_;
  const std::string key = "{epoch}";
  for (std::size_t at = path.find(key); at != std::string::npos; at = path.find(key, at))
    path.replace(at, key.size(), std::to_string(epoch + 1));
  context.save_model(path, info_);
  ++saves_;
}

CSVLogger::CSVLogger(std::string filename, char separator, bool append)
    : filename_(std::move(filename)), separator_(separator), append_(append) {}

void CSVLogger::on_train_begin(TrainingContext&) {
  // Appending to a file that has lines already: its header is there.
  header_written_ = false;
  if (append_) {
    std::ifstream existing(filename_);
    header_written_ = existing && existing.peek() != std::ifstream::traits_type::eof();
  }
  file_.open(filename_, append_ ? std::ios::app : std::ios::trunc);
  if (!file_) throw std::runtime_error("CSVLogger: cannot open " + filename_ + " for writing");
}

void CSVLogger::on_epoch_end(std::size_t epoch, const Logs& logs, TrainingContext&) {
  if (!header_written_) {
    file_ << "epoch";
    for (const auto& [k, v] : logs) file_ << separator_ << k;
    file_ << "\n";
    header_written_ = true;
  }
  file_ << epoch;
  for (const auto& [k, v] : logs) file_ << separator_ << number_to_string(v);
  file_ << "\n" << std::flush;
  if (!file_) throw std::runtime_error("CSVLogger: writing " + filename_ + " failed");
}

void CSVLogger::on_train_end(TrainingContext&) { file_.close(); }

void TerminateOnNaN::on_batch_end(std::size_t, const Logs& logs, TrainingContext& context) {
  auto it = logs.find("loss");
  if (it != logs.end() && !std::isfinite(it->second)) context.stop_training = true;
}

}  // namespace xgrad
