// The CSV loader on arbitrary bytes: it must either parse or throw DataError
// (std::invalid_argument for a bad target), never crash or hang; the encoding
// (text columns, missing cells) gives finite features of the right shape or a DataError.
#include <cmath>
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
      // The training path: rows with a missing target dropped, text one-hot encoded, missing cells imputed.
      try {
        xgrad::CsvTable copy = table;
        xgrad::drop_rows_missing(copy, copy.header[c]);
        std::vector<std::size_t> train(copy.rows.size());
        for (std::size_t r = 0; r < train.size(); ++r) train[r] = r;
        const xgrad::TableEncoding encoding = xgrad::fit_encoding(copy, copy.header[c], train);
        const xgrad::Tensor<double> x = xgrad::apply_encoding(copy, encoding, copy.header[c]);
        if (x.shape()[0] != copy.rows.size() || x.shape()[1] != encoding.width()) __builtin_trap();
        for (double v : x)
          if (!std::isfinite(v)) __builtin_trap();
      } catch (const xgrad::DataError&) {
      }
    }
  } catch (const xgrad::DataError&) {
  }
  return 0;
}
