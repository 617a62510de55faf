package vc

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
)

// StatusListBits is the length of a status list: the specification's
// minimum of 16 KiB, which hides any one credential among 131,072.
const StatusListBits = 131072

// NewBitstring returns an empty status list.
func NewBitstring() []byte { return make([]byte, StatusListBits/8) }

// SetBit marks index i; bit 0 is the most significant bit of the first byte.
func SetBit(bits []byte, i int) error {
	if i < 0 || i/8 >= len(bits) {
		return fmt.Errorf("vc: status index %d out of range", i)
	}
	bits[i/8] |= 0x80 >> (i % 8)
	return nil
}

// Bit reports whether index i is set.
func Bit(bits []byte, i int) (bool, error) {
	if i < 0 || i/8 >= len(bits) {
		return false, fmt.Errorf("vc: status index %d out of range", i)
	}
	return bits[i/8]&(0x80>>(i%8)) != 0, nil
}

// EncodeList GZIP-compresses the bitstring and writes it as multibase
// base64url without padding ("u" prefix), as encodedList requires.
func EncodeList(bits []byte) (string, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(bits); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return "u" + b64.EncodeToString(buf.Bytes()), nil
}

// DecodeList reverses EncodeList.
func DecodeList(encoded string) ([]byte, error) {
	if len(encoded) < 2 || encoded[0] != 'u' {
		return nil, errors.New("vc: encodedList is not multibase base64url")
	}
	gz, err := b64.DecodeString(encoded[1:])
	if err != nil {
		return nil, fmt.Errorf("vc: encodedList: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("vc: encodedList: %w", err)
	}
	bits, err := io.ReadAll(io.LimitReader(zr, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("vc: encodedList: %w", err)
	}
	return bits, nil
}
