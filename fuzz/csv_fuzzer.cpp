// The CSV loader on arbitrary bytes: it must either parse or throw DataError
// (std::invalid_argument for a bad target), never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <xgrad.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const xgrad::CsvTable table = xgrad::parse_csv_table(text, "fuzz.csv");
    // Every column once as the target: classes, features and their errors.
    for (std::size_t c = 0; c < table.header.size() && c < 4; ++c) {
      try {
        xgrad::CsvDataset data_set = xgrad::dataset_from_table(table, table.header[c]);
        if (data_set.labels.size() != table.rows.size()) __builtin_trap();
      } catch (const xgrad::DataError&) {
      }
    }
  } catch (const xgrad::DataError&) {
  }
  return 0;
}
