// Data and file I/O of train/: CSV loading, standardization, .npz archives.
// Every error case checks that the message names what was wrong.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "xgrad/train/csv.hpp"
#include "xgrad/train/npz.hpp"
#include "xgrad/train/standardizer.hpp"

using namespace xgrad;
namespace fs = std::filesystem;

namespace {

/// A fresh directory under the system temp dir, removed with everything in it.
struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("xgrad_test_data_io_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  /// Writes `contents` to `name` and returns its path.
  std::string write(const std::string& name, const std::string& contents) const {
    std::ofstream out(file(name), std::ios::binary);
    out << contents;
    return file(name);
  }
};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// The message of the E that `f` throws; fails the test if it throws nothing.
template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  FAIL("no exception was thrown");
  return "";
}

/// Checks that `message` contains every one of `parts`.
void check_mentions(const std::string& message, std::initializer_list<std::string> parts) {
  for (const auto& part : parts)
    CHECK_MESSAGE(message.find(part) != std::string::npos, "'" << part << "' missing from: " << message);
}

/// The CsvError message for loading `contents` as a CSV with target "label".
std::string csv_error(const TempDir& dir, const std::string& contents, const std::string& target = "label") {
  const std::string path = dir.write("bad.csv", contents);
  return message_of<DataError>([&] { load_csv(path, target); });
}

// A minimal zip writer (stored members), independent of libzip, to build
// archives whose members hold arbitrary bytes with correct CRCs.
std::uint32_t crc32(const std::string& bytes) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : bytes) {
    crc ^= byte;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void put_le(std::string& out, std::uint32_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
}

std::string make_zip(const std::vector<std::pair<std::string, std::string>>& members) {
  std::string out, directory;
  for (const auto& [name, data] : members) {
    const auto offset = static_cast<std::uint32_t>(out.size());
    const auto size = static_cast<std::uint32_t>(data.size());
    std::string common;  // version needed, flags, method, time, date, crc, sizes, name length
    put_le(common, 20, 2), put_le(common, 0, 2), put_le(common, 0, 2), put_le(common, 0, 2);
    put_le(common, 0x21, 2), put_le(common, crc32(data), 4), put_le(common, size, 4);
    put_le(common, size, 4), put_le(common, static_cast<std::uint32_t>(name.size()), 2);
    out += "PK\x03\x04" + common;
    put_le(out, 0, 2);  // extra length
    out += name + data;
    directory += std::string("PK\x01\x02", 4);
    put_le(directory, 20, 2);  // version made by
    directory += common;
    put_le(directory, 0, 2), put_le(directory, 0, 2), put_le(directory, 0, 2);  // extra, comment, disk
    put_le(directory, 0, 2), put_le(directory, 0, 4), put_le(directory, offset, 4);
    directory += name;
  }
  const auto directory_offset = static_cast<std::uint32_t>(out.size());
  out += directory + std::string("PK\x05\x06", 4);
  put_le(out, 0, 2), put_le(out, 0, 2);
  put_le(out, static_cast<std::uint32_t>(members.size()), 2);
  put_le(out, static_cast<std::uint32_t>(members.size()), 2);
  put_le(out, static_cast<std::uint32_t>(directory.size()), 4), put_le(out, directory_offset, 4);
  put_le(out, 0, 2);
  return out;
}

/// An NPY 1.0 file as numpy writes it: the header padded to 64 bytes.
std::string make_npy(const std::string& header_dict, const std::string& data) {
  std::string header = header_dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  put_le(out, static_cast<std::uint32_t>(header.size()), 2);
  return out + header + data;
}

template <class T>
std::string raw_bytes(std::initializer_list<T> values) {
  std::string out;
  for (T v : values) out.append(reinterpret_cast<const char*>(&v), sizeof v);
  return out;
}

}  // namespace

// ------------------------------------------------------------------ CSV

TEST_CASE("csv: byte order mark, CRLF line ends and trailing blank lines") {
  TempDir dir;
  const auto path = dir.write("bom.csv", "\xEF\xBB\xBF" "a,b,label\r\n1,2.5,x\r\n-3,4e2,y\r\n\r\n\r\n");
  const CsvDataset data = load_csv(path, "label");
  CHECK(data.feature_names == std::vector<std::string>{"a", "b"});
  REQUIRE(data.features.shape() == std::vector<std::size_t>{2, 2});
  CHECK(data.features(0, 0) == 1.0);
  CHECK(data.features(0, 1) == 2.5);
  CHECK(data.features(1, 0) == -3.0);
  CHECK(data.features(1, 1) == 400.0);
  CHECK(data.class_names == std::vector<std::string>{"x", "y"});
  CHECK(data.labels == std::vector<std::int64_t>{0, 1});
}

TEST_CASE("csv: iris-like file with class names sorted lexicographically") {
  TempDir dir;
  const auto path = dir.write("iris.csv",
                              "sepal_length,sepal_width,petal_length,petal_width,species\n"
                              "5.1,3.5,1.4,0.2,setosa\n"
                              "7.0,3.2,4.7,1.4,versicolor\n"
                              "6.3,3.3,6.0,2.5,virginica\n"
                              "4.9,3.0,1.4,0.2,setosa\n"
                              "6.4,3.2,4.5,1.5,versicolor\n");
  const CsvDataset data = load_csv(path, "species");
  CHECK(data.feature_names ==
        std::vector<std::string>{"sepal_length", "sepal_width", "petal_length", "petal_width"});
  CHECK(data.features.shape() == std::vector<std::size_t>{5, 4});
  CHECK(data.features(2, 2) == 6.0);
  CHECK(data.class_names == std::vector<std::string>{"setosa", "versicolor", "virginica"});
  CHECK(data.labels == std::vector<std::int64_t>{0, 1, 2, 0, 1});
}

TEST_CASE("csv: integer classes sort numerically; the target may be any column") {
  TempDir dir;
  const auto path = dir.write("ints.csv", "x,class,y\n1,10,2\n3,2,4\n5,-1,6\n7,+2,8\n9,02,10\n");
  const CsvDataset data = load_csv(path, "class");
  CHECK(data.feature_names == std::vector<std::string>{"x", "y"});
  CHECK(data.features(4, 1) == 10.0);
  CHECK(data.class_names == std::vector<std::string>{"-1", "2", "10"});
  CHECK(data.labels == std::vector<std::int64_t>{2, 1, 0, 1, 1});

  // Not all integers: every class is a name, sorted as text.
  const auto mixed = dir.write("mixed.csv", "x,class\n1,10\n2,9\n3,a\n");
  CHECK(load_csv(mixed, "class").class_names == std::vector<std::string>{"10", "9", "a"});
}

TEST_CASE("csv: quoted fields (RFC 4180) and spaces around fields") {
  TempDir dir;
  const auto path = dir.write("quoted.csv",
                              "\"length, cm\" , \"width\",kind\n"
                              "\"1.5\",  2 ,\"a \"\"big\"\" one\"\n"
                              " 3 ,4,\"two\nlines\"\n"
                              "5,6,plain\n");
  const CsvDataset data = load_csv(path, "kind");
  CHECK(data.feature_names == std::vector<std::string>{"length, cm", "width"});
  CHECK(data.features(0, 0) == 1.5);
  CHECK(data.features(0, 1) == 2.0);
  CHECK(data.features(1, 0) == 3.0);
  CHECK(data.class_names == std::vector<std::string>{"a \"big\" one", "plain", "two\nlines"});
  // Line numbers stay right after a field that spans two lines.
  const auto bad = dir.write("quoted_bad.csv", "a,kind\n1,\"x\ny\"\nz,w\n");
  check_mentions(message_of<DataError>([&] { load_csv(bad, "kind"); }), {"line 4", "column 1 'a'", "'z'"});
}

TEST_CASE("csv: file errors name the file") {
  TempDir dir;
  const std::string missing = dir.file("missing.csv");
  check_mentions(message_of<DataError>([&] { load_csv(missing, "label"); }), {missing, "no such file"});
  check_mentions(message_of<DataError>([&] { load_csv(dir.path.string(), "label"); }),
                 {dir.path.string(), "directory"});
  if (::geteuid() != 0) {  // root reads everything
    const auto locked = dir.write("locked.csv", "a,label\n1,x\n");
    fs::permissions(locked, fs::perms::none);
    check_mentions(message_of<DataError>([&] { load_csv(locked, "label"); }), {locked, "ermission denied"});
  }
}

TEST_CASE("csv: structural errors name file, line and column") {
  TempDir dir;
  const std::string file = dir.file("bad.csv");
  check_mentions(csv_error(dir, ""), {file, "empty", "header"});
  check_mentions(csv_error(dir, "\n  \n\n"), {file, "only blank lines"});
  check_mentions(csv_error(dir, "a,label\n"), {file, "no data rows"});
  check_mentions(csv_error(dir, "a,label\r\n\r\n"), {file, "no data rows"});
  check_mentions(csv_error(dir, "a,b,label\n1,2,x\n3,y\n"),
                 {file, "line 3", "2 fields", "3 columns"});
  check_mentions(csv_error(dir, "a,b,label\n1,2,x,9\n"), {file, "line 2", "more than 3 fields"});
  check_mentions(csv_error(dir, "a,b,a,label\n1,2,3,x\n"),
                 {file, "line 1", "column 3", "'a'", "repeats column 1"});
  check_mentions(csv_error(dir, "a,,label\n1,2,x\n"), {file, "line 1", "column 2", "no name"});
  check_mentions(csv_error(dir, "a,label\n1,x\n2,\"y\n"), {file, "line 3", "column 2", "never closed"});
  check_mentions(csv_error(dir, "a,label\n1,\"x\"z\n"), {file, "line 2", "column 2", "after the closing quote"});
  check_mentions(csv_error(dir, "a,b\n1,2\n", "species"),
                 {file, "no column 'species'", "'a', 'b'"});
  check_mentions(csv_error(dir, "label\nx\n"), {file, "no feature columns"});
}

TEST_CASE("csv: cell errors name file, line, column number and column name") {
  TempDir dir;
  const std::string file = dir.file("bad.csv");
  check_mentions(csv_error(dir, "a,b,label\n1,2,x\n3,abc,y\n"),
                 {file, "line 3", "column 2 'b'", "'abc'", "not a number"});
  check_mentions(csv_error(dir, "a,b,label\n1,2 3,x\n"), {"line 2", "column 2 'b'", "not a number"});
  check_mentions(csv_error(dir, "a,b,label\n1,0x10,x\n"), {"line 2", "column 2 'b'", "not a number"});
  check_mentions(csv_error(dir, "a,b,label\n1,2,x\nnan,2,y\n"),
                 {file, "line 3", "column 1 'a'", "'nan'", "not a finite number"});
  check_mentions(csv_error(dir, "a,b,label\n1,-inf,x\n"), {"line 2", "column 2 'b'", "not a finite number"});
  check_mentions(csv_error(dir, "a,b,label\n1,1e999,x\n"), {"line 2", "column 2 'b'", "out of range"});
  check_mentions(csv_error(dir, "a,b,label\n1,,x\n"), {file, "line 2", "column 2 'b'", "empty"});
  check_mentions(csv_error(dir, "a,b,label\n1,\"\",x\n"), {"line 2", "column 2 'b'", "empty"});
  check_mentions(csv_error(dir, "a,b,label\n1,2,x\n1,2,\n"), {file, "line 3", "column 3 'label'", "empty"});
}

TEST_CASE("csv: a 100 MB line is handled in linear time with a short message") {
  TempDir dir;
  const std::string huge(100u << 20, 'x');
  const auto start = std::chrono::steady_clock::now();
  const std::string one_cell = csv_error(dir, "a,label\n" + huge + ",y\n");
  check_mentions(one_cell, {"line 2", "column 1 'a'", "not a number"});
  CHECK(one_cell.size() < 500);

  std::string many_fields;  // 50 million fields in one row
  many_fields.reserve(100u << 20);
  for (int i = 0; i < (50 << 20); ++i) many_fields += "1,";
  check_mentions(csv_error(dir, "a,label\n" + many_fields + "\n"), {"line 2", "more than 2 fields"});
  const std::string unclosed = csv_error(dir, "a,label\n1,\"" + huge + "\n");
  check_mentions(unclosed, {"line 2", "never closed"});
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
}

TEST_CASE("csv: features for an existing model, matched by name") {
  TempDir dir;
  const std::vector<std::string> model_features{"a", "b"};
  const auto shuffled = dir.write("predict.csv", "b,a\n2,1\n4,3\n");
  const Tensor<double> x = load_csv_features(shuffled, model_features);
  REQUIRE(x.shape() == std::vector<std::size_t>{2, 2});
  CHECK(x(0, 0) == 1.0);
  CHECK(x(0, 1) == 2.0);
  CHECK(x(1, 0) == 3.0);

  const auto with_target = dir.write("labelled.csv", "a,species,b\n1,cat,2\n");
  CHECK(load_csv_features(with_target, model_features, "species").shape() == std::vector<std::size_t>{1, 2});
  check_mentions(message_of<DataError>([&] { load_csv_features(with_target, model_features); }),
                 {with_target, "column 2 'species'", "not a feature of the model", "target"});
  const auto missing = dir.write("missing_feature.csv", "a,c\n1,2\n");
  check_mentions(message_of<DataError>([&] { load_csv_features(missing, model_features); }),
                 {missing, "no column 'b'", "'a', 'c'"});
  check_mentions(message_of<DataError>([&] { load_csv_features(shuffled, model_features, "species"); }),
                 {shuffled, "no column 'species'"});
}

TEST_CASE("csv: labelled data for an existing model uses the model's classes") {
  TempDir dir;
  const auto path = dir.write("eval.csv", "a,b,label\n1,2,dog\n3,4,cat\n");
  const CsvDataset data = load_csv_for_model(path, "label", {"b", "a"}, {"bird", "cat", "dog"});
  CHECK(data.labels == std::vector<std::int64_t>{2, 1});
  CHECK(data.class_names == std::vector<std::string>{"bird", "cat", "dog"});
  CHECK(data.features(0, 0) == 2.0);

  const auto ints = dir.write("eval_ints.csv", "a,label\n1,07\n2,-1\n");
  CHECK(load_csv_for_model(ints, "label", {"a"}, {"-1", "7"}).labels == std::vector<std::int64_t>{1, 0});

  const auto unknown = dir.write("eval_unknown.csv", "a,label\n1,cat\n2,cow\n");
  check_mentions(message_of<DataError>([&] { load_csv_for_model(unknown, "label", {"a"}, {"cat", "dog"}); }),
                 {unknown, "line 3", "column 2 'label'", "'cow'", "'cat', 'dog'"});
}

// ------------------------------------------------------------------ Standardizer

TEST_CASE("standardizer: mean and population scale; constant columns get scale 1") {
  Standardizer s;
  CHECK_FALSE(s.fitted());
  const Tensor<double> train = {{1.0, 0.1, 5.0}, {3.0, 0.1, 5.0}, {5.0, 0.1, 5.0}};
  s.fit(train);
  REQUIRE(s.fitted());
  CHECK(s.mean(0) == doctest::Approx(3.0));
  CHECK(s.scale(0) == doctest::Approx(std::sqrt(8.0 / 3.0)));
  CHECK(s.scale(1) == 1.0);
  CHECK(s.scale(2) == 1.0);

  const Tensor<double> z = s.transform(train);
  CHECK(z(0, 0) == doctest::Approx(-2.0 / std::sqrt(8.0 / 3.0)));
  CHECK(z(2, 0) == doctest::Approx(2.0 / std::sqrt(8.0 / 3.0)));
  CHECK(std::abs(z(1, 1)) < 1e-12);
  CHECK(z(1, 2) == 0.0);

  // Another split is transformed with the training statistics.
  const Tensor<double> test = {{7.0, 1.1, 6.0}};
  const Tensor<double> zt = s.transform(test);
  CHECK(zt(0, 0) == doctest::Approx(4.0 / std::sqrt(8.0 / 3.0)));
  CHECK(zt(0, 1) == doctest::Approx(1.0));
  CHECK(zt(0, 2) == doctest::Approx(1.0));
}

TEST_CASE("standardizer: errors name the shapes") {
  Standardizer s;
  check_mentions(message_of<std::logic_error>([&] { s.transform(Tensor<double>{{1.0, 2.0}}); }), {"not fitted"});
  check_mentions(message_of<std::invalid_argument>([&] { s.fit(Tensor<double>{1.0, 2.0}); }), {"[2]"});
  check_mentions(message_of<std::invalid_argument>([&] { s.fit(Tensor<double>::from_shape({0, 3})); }),
                 {"[0, 3]"});
  s.fit(Tensor<double>{{1.0, 2.0, 3.0}, {2.0, 3.0, 4.0}});
  check_mentions(message_of<std::invalid_argument>([&] { s.transform(Tensor<double>{{1.0, 2.0}}); }),
                 {"[1, 2]", "[3]"});
  check_mentions(message_of<std::invalid_argument>([&] { s.transform(Tensor<double>{1.0, 2.0, 3.0}); }),
                 {"[3]"});
}

// ------------------------------------------------------------------ NPZ

namespace {
template <class T>
Tensor<T> counting(const Shape& shape) {
  Tensor<T> t = Tensor<T>::from_shape(shape);
  for (std::size_t i = 0; i < t.size(); ++i) t.data()[i] = static_cast<T>(i % 200) + static_cast<T>(1);
  return t;
}

template <class T>
void check_round_trip(const TempDir& dir) {
  const std::vector<Shape> shapes = {{}, {0}, {2, 0}, {1}, {5}, {2, 3}, {2, 3, 4}, {300}};
  std::vector<std::pair<std::string, NpzArray>> arrays;
  for (std::size_t i = 0; i < shapes.size(); ++i)
    arrays.emplace_back("a" + std::to_string(i), counting<T>(shapes[i]));
  const std::string path = dir.file("round_trip.npz");
  save_npz(path, arrays);
  const NpzArchive loaded = load_npz(path);
  REQUIRE(loaded.size() == shapes.size());
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    CAPTURE(shape_to_string(shapes[i]));
    const Tensor<T>& t = npz_get<T>(loaded, "a" + std::to_string(i));
    CHECK(to_shape(t.shape()) == shapes[i]);
    CHECK(t == counting<T>(shapes[i]));
  }
}
}  // namespace

TEST_CASE("npz: round trip of every dtype, 0-d and empty shapes included") {
  TempDir dir;
  check_round_trip<float>(dir);
  check_round_trip<double>(dir);
  check_round_trip<std::int64_t>(dir);
  check_round_trip<std::uint8_t>(dir);

  const Tensor<double> exact = {0.1, -1e-300, 1.7976931348623157e308};
  const Tensor<std::int64_t> extremes = {std::numeric_limits<std::int64_t>::min(), -1,
                                         std::numeric_limits<std::int64_t>::max()};
  save_npz(dir.file("exact.npz"), {{"x", exact}, {"i", extremes}});
  const NpzArchive loaded = load_npz(dir.file("exact.npz"));
  CHECK(npz_get<double>(loaded, "x") == exact);
  CHECK(npz_get<std::int64_t>(loaded, "i") == extremes);
  CHECK(npz_dtype(loaded.at("x")) == "float64");

  save_npz(dir.file("none.npz"), {});
  CHECK(load_npz(dir.file("none.npz")).empty());
}

TEST_CASE("npz: texts (JSON) stored as uint8 arrays") {
  TempDir dir;
  const std::string json = "{\"layers\": [4, 8, 3], \"name\": \"caf\xC3\xA9\", \"nul\": \"a\0b\"}";
  const std::string with_nul(json.data(), json.size());
  save_npz(dir.file("text.npz"), {{"config", text_to_npz_array(with_nul)}, {"empty", text_to_npz_array("")}});
  const NpzArchive loaded = load_npz(dir.file("text.npz"));
  CHECK(npz_array_to_text(loaded.at("config")) == with_nul);
  CHECK(npz_array_to_text(loaded.at("empty")).empty());
  check_mentions(message_of<NpzError>([] { npz_array_to_text(Tensor<float>{1.0f}); }), {"float32"});
  check_mentions(message_of<NpzError>([&] { npz_get<float>(loaded, "config"); }),
                 {"'config'", "uint8", "float32"});
  check_mentions(message_of<NpzError>([&] { npz_get<float>(loaded, "weights"); }), {"'weights'"});
}

TEST_CASE("npz: reads numpy's own layout, Fortran order included") {
  const std::string c_order =
      make_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", raw_bytes<double>({0, 1, 2, 3, 4, 5}));
  const std::string f_order =
      make_npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", raw_bytes<double>({0, 1, 2, 3, 4, 5}));
  const std::string bytes = make_npy("{'descr': '|u1', 'fortran_order': False, 'shape': (), }", "\x07");
  const NpzArchive loaded = parse_npz(make_zip({{"c.npy", c_order}, {"f.npy", f_order}, {"b.npy", bytes}}), "mem");
  const Tensor<double> expected_c = {{0, 1, 2}, {3, 4, 5}};
  const Tensor<double> expected_f = {{0, 2, 4}, {1, 3, 5}};
  CHECK(npz_get<double>(loaded, "c") == expected_c);
  CHECK(npz_get<double>(loaded, "f") == expected_f);
  CHECK(npz_get<std::uint8_t>(loaded, "b")() == 7);
}

TEST_CASE("npz: save is atomic and keeps the old file when it fails before the rename") {
  TempDir dir;
  const std::string path = dir.file("model.npz");
  save_npz(path, {{"w", Tensor<double>{1.0, 2.0}}});
  const std::string before = read_bytes(path);

  testing::fail_next_save_before_rename();
  check_mentions(message_of<NpzError>([&] { save_npz(path, {{"w", Tensor<double>{3.0, 4.0, 5.0}}}); }),
                 {path, "before rename"});
  CHECK(read_bytes(path) == before);
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);  // no temporary left

  save_npz(path, {{"w", Tensor<double>{3.0, 4.0, 5.0}}});  // the hook fired once only
  CHECK(npz_get<double>(load_npz(path), "w") == Tensor<double>{3.0, 4.0, 5.0});

  const std::string nowhere = dir.file("no/such/dir/model.npz");
  check_mentions(message_of<NpzError>([&] { save_npz(nowhere, {{"w", Tensor<double>{1.0}}}); }), {nowhere});
  check_mentions(message_of<NpzError>([&] { save_npz(dir.path.string(), {{"w", Tensor<double>{1.0}}}); }),
                 {dir.path.string(), "directory"});
  check_mentions(message_of<std::invalid_argument>([&] {
                   save_npz(path, {{"w", Tensor<double>{1.0}}, {"w", Tensor<float>{1.0f}}});
                 }),
                 {"'w'", "twice"});
  CHECK_THROWS_AS(save_npz(path, {{"", Tensor<double>{1.0}}}), std::invalid_argument);
}

TEST_CASE("npz: load errors name the file and what is wrong") {
  TempDir dir;
  const std::string missing = dir.file("missing.npz");
  check_mentions(message_of<NpzError>([&] { load_npz(missing); }), {missing, "no such file"});
  check_mentions(message_of<NpzError>([&] { load_npz(dir.path.string()); }), {dir.path.string(), "directory"});
  const auto text = dir.write("text.npz", "sepal_length,species\n5.1,setosa\n");
  check_mentions(message_of<NpzError>([&] { load_npz(text); }), {text, "not an .npz archive"});
  const auto empty = dir.write("empty.npz", "");
  check_mentions(message_of<NpzError>([&] { load_npz(empty); }), {empty, "not an .npz archive", "empty"});

  const std::string good = dir.file("good.npz");
  save_npz(good, {{"w", counting<double>({20, 20})}, {"b", counting<float>({20})}});
  const std::string bytes = read_bytes(good);
  const auto half = dir.write("half.npz", bytes.substr(0, bytes.size() / 2));
  check_mentions(message_of<NpzError>([&] { load_npz(half); }), {half, "truncated"});
  std::string flipped = bytes;
  flipped[200] = static_cast<char>(flipped[200] ^ 0x55);  // inside w's data: the CRC no longer matches
  const auto corrupt = dir.write("corrupt.npz", flipped);
  check_mentions(message_of<NpzError>([&] { load_npz(corrupt); }), {corrupt, "corrupt"});
}

TEST_CASE("npz: invalid members, unsupported dtypes and lying headers") {
  const auto error = [](const std::string& member_bytes) {
    return message_of<NpzError>([&] { parse_npz(make_zip({{"w.npy", member_bytes}}), "m.npz"); });
  };
  const std::string header_end = "'fortran_order': False, 'shape': (2,), }";
  check_mentions(error("hello"), {"m.npz", "member 'w.npy'", "not an NPY array"});
  check_mentions(error(make_npy("{'descr': '<i4', " + header_end, raw_bytes<std::int32_t>({1, 2}))),
                 {"m.npz", "member 'w.npy'", "unsupported dtype '<i4'"});
  check_mentions(error(make_npy("{'descr': '>f8', " + header_end, raw_bytes<double>({1, 2}))),
                 {"unsupported dtype '>f8'"});
  check_mentions(error(make_npy("{'descr': [('a', '<f8')], " + header_end, "")), {"unsupported dtype"});
  check_mentions(error(make_npy("{'descr': '<f8', " + header_end, raw_bytes<double>({1}))),
                 {"member 'w.npy'", "16 bytes", "8 are present"});
  check_mentions(error(make_npy("{'descr': '<f8', " + header_end, raw_bytes<double>({1, 2, 3}))),
                 {"16 bytes", "24 are present"});
  check_mentions(error(make_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }", "")),
                 {"invalid NPY header", "too large"});
  check_mentions(error(make_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", "")),
                 {"too large"});
  check_mentions(error(make_npy("{'descr': '<f8', 'shape': (2,), }", "")), {"invalid NPY header", "required"});
  check_mentions(error(make_npy("{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2,), }", "")),
                 {"invalid NPY header", "fortran_order"});
  check_mentions(error(std::string("\x93NUMPY\x01\x00\xff\xff{", 11)), {"truncated NPY header"});
  check_mentions(error(std::string("\x93NUMPY\x09\x00", 8) + "xxxx"), {"unsupported NPY version 9.0"});
}

TEST_CASE("npz: garbage never crashes the loader") {
  TempDir dir;
  const std::string path = dir.file("fuzz.npz");
  save_npz(path, {{"w", counting<double>({3, 2})}, {"t", text_to_npz_array("{\"a\": 1}")}});
  const std::string valid = read_bytes(path);
  const std::string npy = make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",
                                   raw_bytes<float>({1, 2, 3}));
  const auto survives = [](const std::string& bytes) {
    try {
      parse_npz(bytes, "fuzz");
    } catch (const NpzError&) {
    }
  };
  for (std::size_t n = 0; n < valid.size(); ++n) survives(valid.substr(0, n));
  for (std::size_t n = 0; n < npy.size(); ++n) survives(make_zip({{"x.npy", npy.substr(0, n)}}));

  std::mt19937 random(12345);
  for (int round = 0; round < 3000; ++round) {
    std::string archive = valid, member = npy;
    for (int k = 0; k < 1 + round % 4; ++k) {
      archive[random() % archive.size()] = static_cast<char>(random());
      member[random() % member.size()] = static_cast<char>(random());
    }
    survives(archive);
    survives(make_zip({{"x.npy", member}}));  // a valid zip around a mutated NPY
  }
}
