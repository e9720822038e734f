// SPDX-License-Identifier: MIT
pragma solidity 0.8.25;

/// @title DiscoveryLens
/// @notice opctl's read-only discovery lens. It is never deployed: opctl sends this creation code
///         (with the program appended as the constructor argument) in an `eth_call` without a `to`
///         address. The constructor runs the program's view calls, some of whose targets are
///         addresses returned by earlier calls of the same program, and returns every result as
///         the "runtime code", which the node hands back as the `eth_call` result. Nothing is
///         written: it is a creation inside `eth_call`, and every call is a STATICCALL.
///
///         Program (packed bytes), a sequence of steps:
///           uint8  n                  number of target candidates (at least one)
///           n candidates, each one of
///             0x00 address            a literal address (20 bytes)
///             0x01 uint16 step uint16 offset
///                                     the 20 bytes at `offset` of an earlier step's return data,
///                                     if that step succeeded and returned at least offset + 20
///                                     bytes
///           uint16 len, len bytes     the calldata
///         The target is the first candidate that yields a non-zero address; a step without one is
///         not run. Each call gets at most STEP_GAS gas and keeps at most MAX_RETURN bytes.
///
///         Result (packed): 0x01 (the format; it also keeps the returned "code" from starting with
///         0xEF, which EIP-3541 rejects), then per step
///           uint8  status             0 not run, 1 success, 2 reverted, 3 returned too much
///           uint16 len, len bytes     return data (status 1) or revert data (status 2)
///         The node rejects a result above the EIP-170 code size limit (24576 bytes); opctl keeps
///         its programs well below it.
contract DiscoveryLens {
    uint256 private constant STEP_GAS = 1_000_000;
    uint256 private constant MAX_RETURN = 1024;

    constructor(bytes memory program) {
        uint256 maxSteps = program.length / 8 + 1;
        uint8[] memory status = new uint8[](maxSteps);
        bytes[] memory data = new bytes[](maxSteps);
        uint256 steps = 0;
        uint256 p = 0;
        while (p < program.length) {
            uint256 n = uint8(program[p]);
            require(n > 0, "DiscoveryLens: a step without target");
            p += 1;
            address target = address(0);
            for (uint256 i = 0; i < n; i++) {
                uint8 kind = uint8(program[p]);
                address candidate = address(0);
                if (kind == 0) {
                    require(p + 21 <= program.length, "DiscoveryLens: truncated program");
                    candidate = word20(program, p + 1);
                    p += 21;
                } else {
                    require(kind == 1, "DiscoveryLens: unknown candidate kind");
                    require(p + 5 <= program.length, "DiscoveryLens: truncated program");
                    uint256 s = u16(program, p + 1);
                    uint256 offset = u16(program, p + 3);
                    p += 5;
                    require(s < steps, "DiscoveryLens: reference to a later step");
                    if (status[s] == 1 && data[s].length >= offset + 20) {
                        candidate = word20(data[s], offset);
                    }
                }
                if (target == address(0)) {
                    target = candidate;
                }
            }
            require(p + 2 <= program.length, "DiscoveryLens: truncated program");
            uint256 len = u16(program, p);
            p += 2;
            require(p + len <= program.length, "DiscoveryLens: truncated program");
            if (target != address(0)) {
                (status[steps], data[steps]) = read(target, program, p, len);
            }
            p += len;
            steps += 1;
        }

        uint256 size = 1;
        for (uint256 i = 0; i < steps; i++) {
            size += 3 + data[i].length;
        }
        bytes memory out = new bytes(size);
        out[0] = 0x01;
        uint256 q = 1;
        for (uint256 i = 0; i < steps; i++) {
            bytes memory d = data[i];
            out[q] = bytes1(status[i]);
            out[q + 1] = bytes1(uint8(d.length >> 8));
            out[q + 2] = bytes1(uint8(d.length));
            q += 3;
            for (uint256 j = 0; j < d.length; j++) {
                out[q + j] = d[j];
            }
            q += d.length;
        }
        assembly {
            return(add(out, 32), mload(out))
        }
    }

    /// @dev STATICCALL `target` with `len` bytes of `program` from `at`; copies at most MAX_RETURN
    ///      bytes of what it returns.
    function read(address target, bytes memory program, uint256 at, uint256 len)
        private
        view
        returns (uint8 status, bytes memory result)
    {
        require(gasleft() > STEP_GAS + 200_000, "DiscoveryLens: out of gas");
        bool ok;
        uint256 size;
        assembly {
            ok := staticcall(STEP_GAS, target, add(add(program, 32), at), len, 0, 0)
            size := returndatasize()
        }
        if (size > MAX_RETURN) {
            return (3, result);
        }
        result = new bytes(size);
        assembly {
            returndatacopy(add(result, 32), 0, size)
        }
        status = ok ? 1 : 2;
    }

    function u16(bytes memory b, uint256 at) private pure returns (uint256) {
        return (uint256(uint8(b[at])) << 8) | uint256(uint8(b[at + 1]));
    }

    /// @dev The 20 bytes of `b` at `at` as an address (the caller checked the length).
    function word20(bytes memory b, uint256 at) private pure returns (address a) {
        assembly {
            a := shr(96, mload(add(add(b, 32), at)))
        }
    }
}
