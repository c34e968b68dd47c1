#pragma once
/// Constants and the evaluation-precision rule shared by the activation kernels.
///
/// Why the float32 kernels compute in float64 and round once: a float64
/// evaluation of these formulas has a relative error near 1e-16, so rounding
/// it to float32 gives the correctly rounded result in all but vanishingly
/// rare double-rounding cases (within 1 ulp always). The float64 kernels use
/// long double (x87, 64-bit mantissa) only where the formula amplifies the
/// rounding error of its argument (the gelu tails) or where several roundings
/// after exp would add up past the 4-ulp budget (the rational parts of
/// sigmoid' and tanh'). docs/exactness.md has the measured errors.
namespace xgrad::math {

inline constexpr long double kSqrtHalfL = 0.707106781186547524400844362104849039L;       // 1/sqrt(2)
inline constexpr long double kInvSqrt2PiL = 0.398942280401432677939946059934381868L;     // 1/sqrt(2 pi)
inline constexpr long double kSqrt2OverPiL = 0.797884560802865355879892119868763737L;    // sqrt(2/pi)
inline constexpr long double kGeluTanhCubicL = 0.044715L;
inline constexpr double kSqrtHalf = 0.707106781186547524400844362104849039;
inline constexpr double kInvSqrt2Pi = 0.398942280401432677939946059934381868;
inline constexpr double kSqrt2OverPi = 0.797884560802865355879892119868763737;
inline constexpr double kGeluTanhCubic = 0.044715;

}  // namespace xgrad::math
