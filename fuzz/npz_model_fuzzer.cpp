// The .npz archive and model loader on arbitrary bytes: an archive or model
// comes back, or NpzError says what is wrong; never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <xgrad.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    xgrad::parse_npz(bytes, "fuzz.npz");
  } catch (const xgrad::NpzError&) {
  }
  try {
    xgrad::LoadedModel<float> model = xgrad::parse_model<float>(bytes, "fuzz.npz");
    (void)model;
  } catch (const xgrad::NpzError&) {
  }
  return 0;
}
