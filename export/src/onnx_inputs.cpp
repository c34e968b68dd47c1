// The graph's inputs and the features built from them: for a model trained on
// a CSV file, the numeric columns with their missing cells imputed and the
// text columns one-hot encoded, as train/src/encoding.cpp does.
#include <cctype>
#include <set>
#include <stdexcept>

#include "proto_writer.hpp"

namespace xgrad::onnx_detail {

void add_float_value_info(onnx::ValueInfoProto* v, const std::string& name, std::int64_t columns) {
  v->set_name(name);
  onnx::TypeProto_Tensor* type = v->mutable_type()->mutable_tensor_type();
  type->set_elem_type(onnx::TensorProto::FLOAT);
  type->mutable_shape()->add_dim()->set_dim_param("N");
  type->mutable_shape()->add_dim()->set_dim_value(columns);
}

namespace {

void add_string_value_info(onnx::ValueInfoProto* v, const std::string& name) {
  v->set_name(name);
  onnx::TypeProto_Tensor* type = v->mutable_type()->mutable_tensor_type();
  type->set_elem_type(onnx::TensorProto::STRING);
  type->mutable_shape()->add_dim()->set_dim_param("N");
}

/// Every spelling is_missing accepts (empty, NA, N/A, NaN, null, ?, in any case).
std::vector<std::string> missing_spellings() {
  std::vector<std::string> out{"", "?"};
  for (const std::string word : {"na", "n/a", "nan", "null"}) {
    std::vector<std::string> forms{""};
    for (char c : word) {
      std::vector<std::string> next;
      for (const auto& f : forms) {
        next.push_back(f + c);
        if (std::isalpha(static_cast<unsigned char>(c))) next.push_back(f + char(std::toupper(static_cast<unsigned char>(c))));
      }
      forms = std::move(next);
    }
    out.insert(out.end(), forms.begin(), forms.end());
  }
  return out;
}

/// [N] strings -> [N, categories] float one-hot: LabelEncoder gives the
/// category's index (-1 when unseen), Equal with 0..k-1 spreads it.
std::string one_hot(ProtoGraphWriter& g, const ColumnEncoding& column) {
  onnx::NodeProto* encoder = g.raw_node("LabelEncoder", {column.name}, "ai.onnx.ml");
  std::vector<std::int64_t> range;
  auto* keys = encoder->add_attribute();
  keys->set_name("keys_strings");
  keys->set_type(onnx::AttributeProto::STRINGS);
  auto* values = encoder->add_attribute();
  values->set_name("values_int64s");
  values->set_type(onnx::AttributeProto::INTS);
  for (std::size_t k = 0; k < column.categories.size(); ++k) {
    range.push_back(static_cast<std::int64_t>(k));
    if (column.categories[k].empty()) {  // the missing category: every spelling of a missing cell
      for (const auto& spelling : missing_spellings()) {
        keys->add_strings(spelling);
        values->add_ints(static_cast<std::int64_t>(k));
      }
    } else {
      keys->add_strings(column.categories[k]);
      values->add_ints(static_cast<std::int64_t>(k));
    }
  }
  auto* fallback = encoder->add_attribute();
  fallback->set_name("default_int64");
  fallback->set_type(onnx::AttributeProto::INT);
  fallback->set_i(-1);
  const std::string index = g.fresh_value();
  encoder->add_output(index);
  const std::string column_index = g.node("Unsqueeze", {index, g.int64s({1})});
  return g.node("Cast", {g.node("Equal", {column_index, g.int64s(range)})}, {}, {{"to", onnx::TensorProto::FLOAT}});
}

}  // namespace

std::pair<std::string, std::size_t> onnx_features(ProtoGraphWriter& g, onnx::GraphProto& graph, const ModelInfo& info,
                                                  std::size_t bare_width) {
  const TableEncoding& encoding = info.encoding;
  if (encoding.empty()) {
    add_float_value_info(graph.add_input(), "input", static_cast<std::int64_t>(bare_width));
    return {"input", bare_width};
  }
  std::vector<float> means;
  std::string numeric_names;
  std::set<std::string> names{"input", "probabilities", "prediction"};
  for (const auto& column : encoding.columns) {
    if (column.categorical) {
      if (!names.insert(column.name).second || column.name.rfind("xgrad.", 0) == 0 || column.name.empty())
        throw std::invalid_argument("ONNX export: the text column '" + column.name +
                                    "' cannot name a graph input (the name is taken or reserved); rename the column");
      continue;
    }
    means.push_back(static_cast<float>(column.mean));
    numeric_names += (numeric_names.empty() ? "" : ", ") + column.name;
  }
  std::string numbers;
  if (!means.empty()) {
    onnx::ValueInfoProto* input = graph.add_input();
    add_float_value_info(input, "input", static_cast<std::int64_t>(means.size()));
    input->set_doc_string("the numeric columns in this order: " + numeric_names +
                          "; NaN for a missing cell (it takes the training rows' mean)");
    const auto n = static_cast<std::int64_t>(means.size());
    numbers = g.node("Where", {g.node("IsNaN", {"input"}), g.tensor(means, {n}, "encoding.mean"), "input"});
  }
  // The features in the encoding's column order: runs of numeric columns sliced out of `numbers`, one-hots between.
  std::vector<std::string> pieces;
  std::size_t next_numeric = 0;
  for (std::size_t k = 0; k < encoding.columns.size();) {
    const ColumnEncoding& column = encoding.columns[k];
    if (column.categorical) {
      onnx::ValueInfoProto* input = graph.add_input();
      add_string_value_info(input, column.name);
      input->set_doc_string("the text column '" + column.name + "' (" + std::to_string(column.categories.size()) +
                            " categories); \"\" or NA for a missing cell; an unseen text encodes as all zeros");
      pieces.push_back(one_hot(g, column));
      ++k;
      continue;
    }
    std::size_t run = 0;
    while (k < encoding.columns.size() && !encoding.columns[k].categorical) ++k, ++run;
    if (run == means.size()) {
      pieces.push_back(numbers);
    } else {
      const auto begin = static_cast<std::int64_t>(next_numeric), end = static_cast<std::int64_t>(next_numeric + run);
      pieces.push_back(g.node("Slice", {numbers, g.int64s({begin}), g.int64s({end}), g.int64s({1})}));
    }
    next_numeric += run;
  }
  const std::string features = pieces.size() == 1 ? pieces.front() : g.node("Concat", pieces, {}, {{"axis", 1}});
  return {features, encoding.width()};
}

}  // namespace xgrad::onnx_detail
