module kube-baseline/toolchain/plugintmp

go 1.24
