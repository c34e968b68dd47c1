#!/usr/bin/python3
"""Reference values for tests/test_modules.cpp and tests/test_ops.cpp, computed
once with PyTorch 1.13 (float64) and pasted into the tests:
BatchNorm1d (training, running statistics after two steps, eval), LayerNorm,
and the kinks and ties of abs, clamp, sqrt, maximum and minimum.
Run: /usr/bin/python3 tools/layers_reference.py"""
import torch

d = torch.float64
X=torch.tensor([[1.0,-2.0,0.5],[3.0,0.0,-1.5],[-0.5,4.0,2.0],[2.0,1.0,0.0]],dtype=d,requires_grad=True)
G=torch.tensor([[1.0,2.0,-1.0],[0.5,-0.5,3.0],[-2.0,1.0,0.25],[1.0,1.0,1.0]],dtype=d)
W=torch.tensor([1.5,-0.5,2.0],dtype=d); B=torch.tensor([0.1,0.2,-0.3],dtype=d)
def p(name, t): print(name, ', '.join(repr(v) for v in t.detach().flatten().tolist()))
bn=torch.nn.BatchNorm1d(3).double()
with torch.no_grad(): bn.weight.copy_(W); bn.bias.copy_(B)
y=bn(X); y.backward(G)
p('bn_y',y);p('bn_dx',X.grad);p('bn_dw',bn.weight.grad);p('bn_db',bn.bias.grad);p('bn_rm',bn.running_mean);p('bn_rv',bn.running_var)
y=bn(X*2)  # second step
p('bn_rm2',bn.running_mean);p('bn_rv2',bn.running_var)
bn.eval(); X.grad=None; bn.weight.grad=None
y=bn(X); y.backward(G); p('bn_eval_y',y); p('bn_eval_dx',X.grad); p('bn_eval_dw',bn.weight.grad)
X.grad=None
ln=torch.nn.LayerNorm(3).double()
with torch.no_grad(): ln.weight.copy_(W); ln.bias.copy_(B)
y=ln(X); y.backward(G)
p('ln_y',y);p('ln_dx',X.grad);p('ln_dw',ln.weight.grad);p('ln_db',ln.bias.grad)
a=torch.tensor([1.0,2.0,-3.0,0.5],dtype=d,requires_grad=True)
b=torch.tensor([1.0,-1.0,-3.0,2.0],dtype=d,requires_grad=True)
up=torch.tensor([1.,2.,4.,8.],dtype=d)
for f in (torch.maximum, torch.minimum):
    a.grad=None; b.grad=None
    y=f(a,b); y.backward(up); p(f.__name__, y); p(' da', a.grad); p(' db', b.grad)
x=torch.tensor([-1.0,0.0,2.0,-0.0],dtype=d,requires_grad=True)
torch.abs(x).sum().backward(); p('abs grad', x.grad)
x=torch.tensor([-2.0,-1.0,0.0,1.0,1.5,3.0],dtype=d,requires_grad=True)
y=torch.clamp(x,-1.0,1.5); y.sum().backward(); p('clamp', y); p(' grad', x.grad)
x=torch.tensor([0.0,4.0],dtype=d,requires_grad=True)
torch.sqrt(x).sum().backward(); p('sqrt grad', x.grad)
